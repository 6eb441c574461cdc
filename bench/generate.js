'use strict';
/**
 * Writes a synthetic monorepo of N Dockerfiles (default 10,000) for the benchmark: Node services with
 * and without lockfiles, Go and Python services, Dockerfile name variants, compose-named Dockerfiles
 * with their own context, npm workspace members built from the root, already multi-stage files,
 * unknown stacks, a few broken files, plus node_modules and a .gitignore'd folder that must be skipped.
 * Deterministic: the same N gives the same tree.
 */
const fs = require('fs');
const path = require('path');

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const NODE = (v) => `FROM node:${v}\n\nWORKDIR /app\n\nCOPY . .\n\nRUN npm install\n\nEXPOSE 3000\n\nCMD ["npm", "start"]\n`;
const NODE_PROD = `FROM node:22\nENV NODE_ENV=production\nWORKDIR /usr/src/app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nUSER node\nCMD ["node", "server.js"]\n`;
const GO = `FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/app ./\nEXPOSE 8080\nCMD ["/bin/app"]\n`;
const PY = `FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n`;
const NGINX = `# static site\nFROM nginx:1.27\nCOPY public /usr/share/nginx/html\nEXPOSE 80\n`;
const DEBIAN = `FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY run.sh /run.sh\nENTRYPOINT ["/run.sh"]\n`;
const MULTI = `FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\nFROM gcr.io/distroless/nodejs22-debian13:nonroot\nCOPY --from=build /app/dist /app\nCMD ["/app/index.js"]\n`;
const BROKEN = `FROM node:22\nRUNN npm install\n`;
const WS_MEMBER = (name) => `FROM node:22\nWORKDIR /repo\nCOPY package.json package-lock.json ./\nCOPY packages/${name} ./packages/${name}\nRUN npm install\nCMD ["node", "packages/${name}/index.js"]\n`;

function pkg(name, withDeps) {
  return JSON.stringify({ name, version: '1.0.0', private: true, main: 'server.js', scripts: { start: 'node server.js', build: 'echo build' }, dependencies: withDeps ? { express: '^4.21.2' } : {} }, null, 2) + '\n';
}
function lock(name) {
  return JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name, version: '1.0.0' } } }, null, 2) + '\n';
}

/** Returns the number of Dockerfiles written that a sweep should find (not excluded or ignored). */
function generate(root, n = 10000) {
  fs.rmSync(root, { recursive: true, force: true });
  write(path.join(root, '.gitignore'), 'generated/\n');
  write(path.join(root, 'generated/Dockerfile'), NODE(22));
  write(path.join(root, 'node_modules/some-dep/Dockerfile'), NODE(22));
  let count = 0;
  let i = 0;
  const group = (k) => `area-${String(Math.floor(k / 200)).padStart(3, '0')}`;
  const compose = new Map();
  let wsMembers = [];
  while (count < n) {
    const k = i++;
    const kind = k % 20;
    const name = `svc-${String(k).padStart(5, '0')}`;
    const dir = path.join(root, group(k), name);
    switch (kind) {
      case 0: case 1: case 2: case 3: case 4: case 5: {
        write(path.join(dir, 'package.json'), pkg(name, kind % 2 === 0));
        if (kind !== 5) write(path.join(dir, 'package-lock.json'), lock(name));
        write(path.join(dir, 'server.js'), "require('http').createServer((q, s) => s.end('ok')).listen(3000);\n");
        write(path.join(dir, 'Dockerfile'), NODE([20, 22, 24][kind % 3]));
        break;
      }
      case 6:
        write(path.join(dir, 'package.json'), pkg(name, false));
        write(path.join(dir, 'package-lock.json'), lock(name));
        write(path.join(dir, 'Dockerfile.prod'), NODE_PROD);
        break;
      case 7: case 8:
        write(path.join(dir, 'go.mod'), `module example.com/${name}\n\ngo 1.22\n`);
        write(path.join(dir, 'main.go'), 'package main\n\nfunc main() {}\n');
        write(path.join(dir, 'Dockerfile'), GO);
        break;
      case 9: case 10:
        write(path.join(dir, 'requirements.txt'), 'flask==3.0.3\n');
        write(path.join(dir, 'app.py'), 'print("ok")\n');
        write(path.join(dir, `${name}.Dockerfile`), PY);
        break;
      case 11: {
        // Named only in a compose file, built from the service folder.
        write(path.join(dir, 'package.json'), pkg(name, false));
        write(path.join(dir, 'package-lock.json'), lock(name));
        write(path.join(dir, 'server.js'), '\n');
        write(path.join(dir, 'docker', 'api.containerfile'), NODE(22));
        const c = compose.get(group(k)) ?? [];
        c.push(`  ${name}:\n    build:\n      context: ./${name}\n      dockerfile: docker/api.containerfile\n`);
        compose.set(group(k), c);
        break;
      }
      case 12:
        write(path.join(dir, 'public/index.html'), '<p>ok</p>\n');
        write(path.join(dir, 'Dockerfile'), NGINX);
        break;
      case 13:
        write(path.join(dir, 'run.sh'), '#!/bin/sh\necho ok\n');
        write(path.join(dir, 'Containerfile'), DEBIAN);
        break;
      case 14: case 15:
        write(path.join(dir, 'package.json'), pkg(name, false));
        write(path.join(dir, 'Dockerfile'), MULTI);
        break;
      case 16: case 17: {
        // npm workspace member built from the workspace root.
        const ws = path.join(root, group(k), 'workspace');
        write(path.join(ws, 'packages', name, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }) + '\n');
        write(path.join(ws, 'packages', name, 'index.js'), '\n');
        write(path.join(ws, 'packages', name, 'Dockerfile'), WS_MEMBER(name));
        wsMembers.push(ws);
        break;
      }
      case 18:
        write(path.join(dir, 'Dockerfile'), k % 40 === 18 ? BROKEN : NODE(22));
        write(path.join(dir, 'package.json'), pkg(name, false));
        break;
      default:
        write(path.join(dir, 'Dockerfile.dev'), NODE(22));
        write(path.join(dir, 'package.json'), pkg(name, false));
        write(path.join(dir, 'package-lock.json'), lock(name));
    }
    count++;
  }
  for (const ws of new Set(wsMembers)) {
    write(path.join(ws, 'package.json'), JSON.stringify({ name: 'ws', private: true, workspaces: ['packages/*'] }) + '\n');
    write(path.join(ws, 'package-lock.json'), lock('ws'));
  }
  for (const [g, services] of compose) write(path.join(root, g, 'compose.yaml'), `services:\n${services.join('')}  db:\n    image: postgres:16\n`);
  return count;
}

module.exports = { generate };

if (require.main === module) {
  const root = path.resolve(process.argv[2] || 'bench-monorepo');
  const n = Number(process.argv[3] || 10000);
  const count = generate(root, n);
  process.stdout.write(`${count} Dockerfiles in ${root}\n`);
}
