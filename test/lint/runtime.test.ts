/** Case tables of the rules about the final image: HEALTHCHECK tools, user, secrets, .dockerignore. */
import { ruleTester, runCase } from '../../transforms/common/rules/tester';
import { healthcheckTool } from '../../transforms/common/rules/healthcheck';
import { nonrootUser } from '../../transforms/common/rules/nonroot-user';
import { secretArg, looksSecret } from '../../transforms/common/rules/secrets';
import { dockerignore } from '../../transforms/common/rules/dockerignore';
import { RULES } from '../../transforms/common/rules';

ruleTester(healthcheckTool, {
  valid: [
    { name: 'curl exists on the full node image', code: 'FROM node:22\nHEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1\n' },
    { name: 'the stage installs curl', code: 'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\nHEALTHCHECK CMD curl -f http://localhost/\n' },
    { name: 'busybox wget on alpine', code: 'FROM node:22-alpine\nHEALTHCHECK CMD wget -q --spider http://localhost:3000/ || exit 1\n' },
    { name: 'unknown base', code: 'FROM myorg/app:1\nHEALTHCHECK CMD curl -f http://localhost/\n' },
    { name: 'no HTTP tool', code: 'FROM gcr.io/distroless/nodejs22-debian13:nonroot\nHEALTHCHECK CMD ["/nodejs/bin/node", "check.js"]\n' },
  ],
  invalid: [
    {
      name: 'curl on node slim becomes node -e',
      code: 'FROM node:22-slim\nHEALTHCHECK --interval=30s CMD curl -f http://localhost:3000/health || exit 1\n',
      output: `FROM node:22-slim\nHEALTHCHECK --interval=30s CMD ["node", "-e", "require('http').get('http://localhost:3000/health', (r) => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1))"]\n`,
    },
    {
      name: 'wget on distroless python becomes python -c',
      code: 'FROM python:3.12 AS build\nFROM gcr.io/distroless/python3-debian13\nHEALTHCHECK CMD wget -q -O - http://localhost:8000/\n',
      output: `FROM python:3.12 AS build\nFROM gcr.io/distroless/python3-debian13\nHEALTHCHECK CMD ["/usr/bin/python3", "-c", "import sys, urllib.request, urllib.error\\ntry: urllib.request.urlopen('http://localhost:8000/', timeout=10)\\nexcept Exception: sys.exit(1)"]\n`,
    },
    { name: 'no interpreter to fall back on', code: 'FROM scratch\nHEALTHCHECK CMD curl -f http://localhost/\n', output: null, messages: ['does not have'] },
  ],
});

ruleTester(nonrootUser, {
  valid: ['FROM node:22\nUSER node\n', 'FROM gcr.io/distroless/static-debian13:nonroot\n', 'FROM scratch\nUSER 65532:65532\n'],
  invalid: [
    { code: 'FROM node:22\nUSER node\nUSER root\n', output: null, messages: ['switches to root'] },
    { code: 'FROM debian\n', output: null, messages: ["base image's user"] },
    { code: 'FROM scratch\nUSER app\n', output: null, messages: ['numeric'] },
  ],
});

test('credential-like names', () => {
  for (const n of ['NPM_TOKEN', 'GITHUB_TOKEN', 'DB_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'API_KEY', 'CLIENT_SECRET', 'PIP_PASSWORD']) expect([n, looksSecret(n)]).toEqual([n, true]);
  for (const n of ['GPG_KEY', 'GPG_KEYS', 'NODE_VERSION', 'KEY_SERVER', 'PYTHON_GET_PIP_SHA256', 'TOKENIZERS_PARALLELISM', 'PASSWORD_FILE', 'PUBLIC_KEY']) expect([n, looksSecret(n)]).toEqual([n, false]);
});

ruleTester(secretArg, {
  valid: ['FROM node:22\nARG NODE_ENV\nRUN npm ci\n', 'FROM python:3.12\nENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\n'],
  invalid: [
    {
      name: 'the npm token of the issue',
      code: 'FROM node:22\nWORKDIR /app\nARG NPM_TOKEN\nCOPY package*.json ./\nRUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci\n',
      output:
        'FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN --mount=type=secret,id=npm_token NPM_TOKEN="$(cat /run/secrets/npm_token 2>/dev/null || true)" && export NPM_TOKEN && echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm -f .npmrc\n',
      messages: ['docker build --secret id=npm_token,env=NPM_TOKEN .'],
    },
    {
      name: 'two RUNs use it; the .npmrc stays for the later install',
      code: 'FROM node:22\nARG NPM_TOKEN\nRUN echo "//r/:_authToken=$NPM_TOKEN" > .npmrc\nRUN npm ci\nRUN curl -H "Authorization: $NPM_TOKEN" https://x\n',
      output:
        'FROM node:22\nRUN --mount=type=secret,id=npm_token NPM_TOKEN="$(cat /run/secrets/npm_token 2>/dev/null || true)" && export NPM_TOKEN && echo "//r/:_authToken=$NPM_TOKEN" > .npmrc\nRUN npm ci\nRUN --mount=type=secret,id=npm_token NPM_TOKEN="$(cat /run/secrets/npm_token 2>/dev/null || true)" && export NPM_TOKEN && curl -H "Authorization: $NPM_TOKEN" https://x\n',
    },
    {
      name: 'an unquoted argument keeps its expansion (nothing when no secret is passed) and is quoted',
      code: 'FROM node:22\nARG OSS_SECRET\nRUN node cdn.js $OSS_SECRET\n',
      output: 'FROM node:22\nRUN --mount=type=secret,id=oss_secret OSS_SECRET="$(cat /run/secrets/oss_secret 2>/dev/null || true)" && export OSS_SECRET && node cdn.js ${OSS_SECRET:+"$OSS_SECRET"}\n',
    },
    {
      name: 'inside a longer word the expansion is quoted where it stands (a multi-byte character before it)',
      code: "FROM debian\nARG GITHUB_CREDENTIALS\nRUN echo '[url \"https://'$GITHUB_CREDENTIALS'@github.com/\"]' é${GITHUB_CREDENTIALS}x >> /root/.gitconfig\n",
      output:
        "FROM debian\nRUN --mount=type=secret,id=github_credentials GITHUB_CREDENTIALS=\"$(cat /run/secrets/github_credentials 2>/dev/null || true)\" && export GITHUB_CREDENTIALS && echo '[url \"https://'\"$GITHUB_CREDENTIALS\"'@github.com/\"]' é\"${GITHUB_CREDENTIALS}\"x >> /root/.gitconfig\n",
    },
    { name: 'a default value is in the Dockerfile itself', code: 'FROM debian\nARG DB_PASSWORD=hunter2\nRUN setup --password "$DB_PASSWORD"\n', output: null, messages: ['has a default value'], notInMessages: ['hunter2'] },
    { name: 'an ENV keeps it in the image', code: 'FROM debian\nARG API_KEY\nENV API_KEY=$API_KEY\n', output: null, messages: ['ENV on line 3 uses it'] },
    { name: 'ENV with a literal credential', code: 'FROM debian\nENV DB_PASSWORD=hunter2\n', output: null, messages: ['ENV DB_PASSWORD looks like a credential'], notInMessages: ['hunter2'] },
  ],
});

ruleTester(dockerignore, {
  valid: [{ code: 'FROM node:22\nCOPY . .\n', files: { '.dockerignore': '.git\nnode_modules\n', 'package.json': '{}' }, stack: 'node' }],
  invalid: [
    {
      name: 'created from the stack and .gitignore',
      code: 'FROM python:3.12\nCOPY . .\n',
      stack: 'python',
      files: { '.gitignore': '# local\n/data/\n*.sqlite\n' },
      output: null,
      sideFiles: {
        '.dockerignore':
          '# Keep the build context small and free of secrets.\n.git\n.gitignore\n.dockerignore\nDockerfile*\n*.Dockerfile\ndocker-compose*.yml\ncompose*.yml\n.env\n.env.*\n!.env.example\n*.log\n.DS_Store\n.idea\n.vscode\n__pycache__\n*.py[cod]\n.venv\nvenv\n.pytest_cache\n.mypy_cache\n.ruff_cache\n.tox\n.coverage\nhtmlcov\n*.egg-info\nbuild\ndist\n# From .gitignore\ndata/\n*.sqlite\n',
      },
    },
    {
      name: 'completed, nothing removed; a copied path that is ignored is reported',
      code: 'FROM node:22\nCOPY package.json ./\nCOPY dist ./dist\n',
      stack: 'node',
      files: { '.dockerignore': 'dist\n' },
      output: null,
      messages: [".dockerignore excludes 'dist', which the Dockerfile copies", 'completed'],
      sideFiles: { '.dockerignore': 'dist\nnode_modules\n.git\n' },
    },
  ],
});

test('every rule has an id, a one-line description and runs on a multi-stage file', () => {
  const ids = new Set<string>();
  for (const r of RULES) {
    expect(r.id).toMatch(/^DO-[A-Z0-9-]+$/);
    expect(ids.has(r.id)).toBe(false);
    ids.add(r.id);
    expect(r.description).not.toContain('\n');
  }
  const o = runCase(RULES, { code: 'FROM golang:1.22\nRUN go build -o /app\nFROM scratch\nCOPY --from=0 /app /app\nCMD /app\n' });
  expect(o.text).toBe('FROM golang:1.22 AS build\nRUN go build -o /app\nFROM scratch\nCOPY --from=build /app /app\nCMD ["/app"]\n');
});

import { secretFile } from '../../transforms/common/rules/secret-files';
const TOKEN_NPMRC = '//registry.npmjs.org/:_authToken=npm_abcdefSECRET\n';
ruleTester(secretFile, {
  valid: [
    { name: 'an .npmrc with registry settings only', code: 'FROM node:22\nWORKDIR /app\nCOPY .npmrc ./\nRUN npm ci\n', files: { '.npmrc': 'legacy-peer-deps=true\n' } },
    'FROM node:22\nRUN curl https://example.com/x\n',
    { name: 'a password from a variable is the ARG rule\'s business', code: 'FROM python:3.12\nRUN pip install --index-url https://u:$PASS@pypi.example.com/simple x\n' },
  ],
  invalid: [
    {
      name: 'a token .npmrc becomes a secret mount',
      code: 'FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json .npmrc ./\nRUN npm ci\nCOPY . .\nCMD ["node", "index.js"]\n',
      files: { '.npmrc': TOKEN_NPMRC, '.dockerignore': '.npmrc\nnode_modules\n' },
      output: 'FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN --mount=type=secret,id=npmrc,target=/app/.npmrc npm ci\nCOPY . .\nCMD ["node", "index.js"]\n',
      messages: ['docker build --secret id=npmrc,src=.npmrc .'],
      notInMessages: ['SECRET'],
    },
    { name: 'deleted later: a mounted file cannot be', code: 'FROM node:22\nWORKDIR /app\nCOPY .npmrc ./\nRUN npm ci && rm -f .npmrc\n', files: { '.npmrc': TOKEN_NPMRC }, output: null, messages: ['deletes it'] },
    { name: 'an SSH key', code: 'FROM debian\nCOPY id_rsa /root/.ssh/id_rsa\n', output: null, messages: ['credentials stay in its layers'] },
    { name: 'a password in a URL', code: 'FROM python:3.12\nRUN pip install --index-url https://user:hunter2@pypi.example.com/simple x\n', output: null, messages: ['carries a password'], notInMessages: ['hunter2'] },
  ],
});
