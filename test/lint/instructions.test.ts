/** Case tables of the rules about instructions: RUN layout, ADD, MAINTAINER, FROM tags, CMD form, stages. */
import { ruleTester } from '../../transforms/common/rules/tester';
import { mergeRuns } from '../../transforms/common/rules/merge-runs';
import { cdWorkdir } from '../../transforms/common/rules/cd-workdir';
import { addToCopy } from '../../transforms/common/rules/add-to-copy';
import { maintainer } from '../../transforms/common/rules/maintainer';
import { imageTag } from '../../transforms/common/rules/image-tag';
import { execForm } from '../../transforms/common/rules/exec-form';
import { copyFromName } from '../../transforms/common/rules/copy-from-name';

ruleTester(mergeRuns, {
  valid: [
    { name: 'cd changes the next RUN', code: 'FROM debian\nRUN cd /tmp\nRUN make\n' },
    { name: 'export', code: 'FROM debian\nRUN export A=1\nRUN make\n' },
    { name: 'a ; in the second RUN would run after a failure', code: 'FROM debian\nRUN make\nRUN a; b\n' },
    { name: '|| in the second RUN', code: 'FROM debian\nRUN make\nRUN a || true\n' },
    { name: 'flags', code: 'FROM debian\nRUN --mount=type=cache,target=/x make\nRUN b\n' },
    { name: 'different cache mounts', code: 'FROM debian\nRUN --mount=type=cache,target=/x a\nRUN --mount=type=cache,target=/y b\n' },
    { name: 'a secret mount is not merged', code: 'FROM debian\nRUN --mount=type=secret,id=t a\nRUN --mount=type=secret,id=t b\n' },
    { name: 'exec form', code: 'FROM debian\nRUN ["make"]\nRUN b\n' },
    { name: 'a SHELL', code: 'FROM debian\nSHELL ["/bin/bash", "-c"]\nRUN a\nRUN b\n' },
    { name: 'not consecutive', code: 'FROM debian\nRUN a\nENV X=1\nRUN b\n' },
    { name: 'exit', code: 'FROM debian\nRUN test -f x || exit 0\nRUN b\n' },
    { name: 'background job', code: 'FROM debian\nRUN a &\nRUN b\n' },
    { name: 'assignments of the second RUN stay at its head', code: 'FROM debian\nRUN a\nRUN d=/src && cd $d\n' },
    { name: 'rpm package managers', code: 'FROM fedora:41\nRUN dnf -y install git && dnf clean all\nRUN make\n' },
  ],
  invalid: [
    { name: 'the same cache mount', code: 'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -U pip\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r r.txt\n', output: 'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -U pip \\\n    && pip install -r r.txt\n' },
    { code: 'FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n', output: 'FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl\n', messages: ['2 consecutive RUNs'] },
    {
      name: 'three RUNs, continuations and comments kept',
      code: 'FROM debian\nRUN a \\\n    && b\n\n# then c\nRUN c\nRUN d | e\n',
      output: 'FROM debian\nRUN a \\\n    && b \\\n# then c\n    && c \\\n    && d | e\n',
    },
    { name: 'a first RUN with ; and control flow', code: 'FROM debian\nRUN if [ -f x ]; then a; fi; b\nRUN c\n', output: 'FROM debian\nRUN if [ -f x ]; then a; fi; b \\\n    && c\n' },
    { name: 'a trailing comment ends the first group', code: 'FROM debian\nRUN a # note\nRUN b\nRUN c\n', output: 'FROM debian\nRUN a # note\nRUN b \\\n    && c\n' },
  ],
});

ruleTester(cdWorkdir, {
  valid: [
    { name: 'unknown base working directory', code: 'FROM myorg/base\nRUN cd /src && make\n' },
    { name: 'cd alone', code: 'FROM debian\nRUN cd /src\n' },
    { name: 'variable target', code: 'FROM debian\nRUN cd $HOME && make\n' },
    { name: 'cd later in the script', code: 'FROM debian\nRUN make && cd /x && make install\n' },
  ],
  invalid: [
    { code: 'FROM debian\nRUN cd /src && make && make install\nCMD ["/src/app"]\n', output: 'FROM debian\nWORKDIR /src\nRUN make && make install\nWORKDIR /\nCMD ["/src/app"]\n' },
    { name: 'relative to an earlier WORKDIR, across a continuation', code: 'FROM myorg/base\nWORKDIR /app\nRUN cd build && \\\n    cmake ..\n', output: 'FROM myorg/base\nWORKDIR /app\nWORKDIR /app/build\nRUN cmake ..\nWORKDIR /app\n' },
    { name: 'a WORKDIR right after needs no restore', code: 'FROM debian\nRUN cd /tmp && make\nWORKDIR /app\n', output: 'FROM debian\nWORKDIR /tmp\nRUN make\nWORKDIR /app\n' },
    { name: 'a comment inside the removed span is kept, above the RUN', code: 'FROM debian\nRUN cd /src \\\n# build it\n    && make\n', output: 'FROM debian\nWORKDIR /src\n# build it\nRUN make\nWORKDIR /\n' },
  ],
});

ruleTester(addToCopy, {
  valid: ['FROM debian\nADD https://example.com/x.tgz /x\n', 'FROM debian\nADD app.tar.gz /srv/\n', 'FROM debian\nADD $SRC /x\n', 'FROM debian\nADD --checksum=sha256:abc https://x/y /y\n', 'FROM debian\nADD git@github.com:a/b.git /b\n',
    { name: 'a relative destination with no WORKDIR', code: 'FROM debian\nADD app.py .\n' },
    { name: 'several sources into a destination without /', code: 'FROM debian\nADD a b /c\n' }],
  invalid: [
    { code: 'FROM debian\nADD . /app\nadd --chown=1:1 a b /c/\n', output: 'FROM debian\nCOPY . /app\ncopy --chown=1:1 a b /c/\n' },
    { code: 'FROM debian\nADD ["my file", "/x/"]\n', output: 'FROM debian\nCOPY ["my file", "/x/"]\n' },
  ],
});

ruleTester(maintainer, {
  valid: ['FROM debian\nLABEL maintainer="a"\n'],
  invalid: [
    { code: 'FROM debian\nMAINTAINER Jane Doe <jane@example.com>\n', output: 'FROM debian\nLABEL maintainer="Jane Doe <jane@example.com>"\n' },
    { code: 'FROM debian\nMAINTAINER "J" $X\n', output: 'FROM debian\nLABEL maintainer="\\"J\\" \\$X"\n' },
  ],
});

ruleTester(imageTag, {
  valid: ['FROM debian:bookworm\n', 'FROM scratch\n', 'FROM node:22 AS build\nFROM build\n', 'ARG BASE=debian\nFROM $BASE\n', 'FROM ubuntu@sha256:0000000000000000000000000000000000000000000000000000000000000000\n'],
  invalid: [
    { code: 'FROM ubuntu\n', output: 'FROM ubuntu:24.04\n', messages: ['pinned to ubuntu:24.04'] },
    { code: 'FROM --platform=linux/amd64 node:latest AS build\nFROM python\n', output: 'FROM --platform=linux/amd64 node:24 AS build\nFROM python:3\n' },
    { code: 'FROM docker.io/library/debian:latest\n', output: 'FROM docker.io/library/debian:trixie\n' },
    { name: 'unknown images are reported', code: 'FROM myorg/app:latest\n', output: null, messages: ['pin a version tag'] },
  ],
});

ruleTester(execForm, {
  valid: [
    'FROM node:22\nCMD ["node", "server.js"]\n',
    { name: 'expansion', code: 'FROM node:22\nCMD node $APP\n' },
    { name: 'two commands', code: 'FROM node:22\nCMD migrate && node server.js\n' },
    { name: 'ENTRYPOINT with a CMD', code: 'FROM node:22\nENTRYPOINT node server.js\nCMD ["--port", "80"]\n' },
    { name: 'CMD under an ENTRYPOINT', code: 'FROM node:22\nENTRYPOINT ["tini", "--"]\nCMD node server.js\n' },
    { name: 'a base whose entrypoint may treat arguments specially', code: 'FROM postgres:16\nCMD postgres -c fsync=off\n' },
    { name: 'SHELL', code: 'FROM node:22\nSHELL ["/bin/bash", "-c"]\nCMD node server.js\n' },
    { name: 'builtin', code: 'FROM debian\nCMD exec nginx\n' },
    { name: 'glob', code: 'FROM debian\nCMD ls *.txt\n' },
  ],
  invalid: [
    { code: 'FROM node:22\nCMD node server.js --port 80\n', output: 'FROM node:22\nCMD ["node", "server.js", "--port", "80"]\n' },
    { code: 'FROM debian\nENTRYPOINT /usr/local/bin/app "a b"\n', output: 'FROM debian\nENTRYPOINT ["/usr/local/bin/app", "a b"]\n' },
  ],
});

ruleTester(copyFromName, {
  valid: ['FROM golang:1.22 AS build\nFROM scratch\nCOPY --from=build /app /app\n', 'FROM scratch\nCOPY --from=nginx:1 /etc/nginx /etc/nginx\n'],
  invalid: [
    {
      code: 'FROM golang:1.22\nRUN go build -o /app\nFROM scratch\nCOPY --from=0 /app /app\nCOPY --from=0 /etc/ssl /etc/ssl\n',
      output: 'FROM golang:1.22 AS build\nRUN go build -o /app\nFROM scratch\nCOPY --from=build /app /app\nCOPY --from=build /etc/ssl /etc/ssl\n',
    },
    { code: 'FROM golang:1.22 AS b\nFROM scratch\nCOPY --from=0 /app /app\n', output: 'FROM golang:1.22 AS b\nFROM scratch\nCOPY --from=b /app /app\n' },
  ],
});

import { cacheOrder } from '../../transforms/common/rules/cache-order';
ruleTester(cacheOrder, {
  valid: [
    { name: 'no build context to check', code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n' },
    { name: 'an editable install needs the sources', code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n', files: { 'requirements.txt': 'flask\n-e .\n' } },
    { name: 'a RUN between', code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN make\nRUN pip install -r requirements.txt\n', files: { 'requirements.txt': 'flask\n' } },
    { name: 'postinstall scripts', code: 'FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n', files: { 'package.json': '{"scripts":{"postinstall":"node x.js"}}', '.dockerignore': 'node_modules\n' } },
    { name: 'node_modules would overwrite the install', code: 'FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n', files: { 'package.json': '{}', 'node_modules/x/index.js': '' } },
    { name: 'already in order', code: 'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n', files: { 'requirements.txt': 'flask\n' } },
  ],
  invalid: [
    {
      code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\n# deps\nRUN pip install --no-cache-dir -r requirements.txt\nCMD ["python", "app.py"]\n',
      files: { 'requirements.txt': 'flask==3.0.0\n# comment\ngunicorn\n' },
      output: 'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\n# deps\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n',
    },
    {
      code: 'FROM node:22\nWORKDIR /usr/src/app\nCOPY --chown=node:node . .\nRUN npm ci --omit=dev\n',
      files: { 'package.json': '{"dependencies":{"express":"^4"}}', 'package-lock.json': '{}', '.dockerignore': 'node_modules\n' },
      output: 'FROM node:22\nWORKDIR /usr/src/app\nCOPY --chown=node:node package.json package-lock.json ./\nRUN npm ci --omit=dev\nCOPY --chown=node:node . .\n',
    },
    {
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /app .\n',
      files: { 'go.mod': 'module x\n\ngo 1.22\n', 'go.sum': '' },
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n',
    },
  ],
});
