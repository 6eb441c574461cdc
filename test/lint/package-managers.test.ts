/** Case tables of the package-manager rules, run through the real rules engine. */
import { ruleTester } from '../../transforms/common/rules/tester';
import { aptGet } from '../../transforms/common/rules/apt-get';
import { aptYes } from '../../transforms/common/rules/apt-yes';
import { aptNoRecommends } from '../../transforms/common/rules/apt-no-recommends';
import { aptLists } from '../../transforms/common/rules/apt-lists';
import { apkNoCache } from '../../transforms/common/rules/apk-no-cache';
import { pipNoCache } from '../../transforms/common/rules/pip-no-cache';
import { pmCacheClean } from '../../transforms/common/rules/pm-cache-clean';
import { noSudo } from '../../transforms/common/rules/sudo';
import { wgetProgress } from '../../transforms/common/rules/wget-progress';

ruleTester(aptGet, {
  valid: ['FROM debian:bookworm\nRUN apt-get update\n', 'FROM debian:bookworm\nRUN apt list --installed\n', 'FROM debian:bookworm\nRUN echo apt install x\n'],
  invalid: [
    { code: 'FROM debian:bookworm\nRUN apt update && apt install -y curl=7.88.1-10\n', output: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl=7.88.1-10\n' },
    { name: 'unpinned installs are reported, not changed (apt-get would be held to pins the tool cannot choose)', code: 'FROM debian:bookworm\nRUN apt update && apt install -y curl\n', output: null, messages: ['not changed: the tool cannot choose the versions'] },
    { code: 'FROM debian:bookworm\nRUN sudo /usr/bin/apt -q full-upgrade\n', output: 'FROM debian:bookworm\nRUN sudo /usr/bin/apt-get -q dist-upgrade\n' },
  ],
});

ruleTester(aptYes, {
  valid: ['FROM debian\nRUN apt-get install -y curl\n', 'FROM debian\nRUN apt-get -qq install curl\n', 'FROM debian\nRUN apt-get install --yes curl\n', 'FROM debian\nRUN apt-get -qy install curl\n', 'FROM debian\nRUN apt-get update\n'],
  invalid: [
    { code: 'FROM debian\nRUN apt-get update && apt-get install curl \\\n    git\n', output: 'FROM debian\nRUN apt-get update && apt-get install -y curl \\\n    git\n' },
    { code: 'FROM debian\nRUN apt-get -o Dpkg::Options::=--force-confold install curl\n', output: 'FROM debian\nRUN apt-get -o Dpkg::Options::=--force-confold install -y curl\n' },
  ],
});

ruleTester(aptNoRecommends, {
  valid: [
    'FROM debian\nRUN apt-get install -y --no-install-recommends curl\n',
    'FROM debian\nRUN apt-get install -y -o APT::Install-Recommends=false curl\n',
    'FROM debian\nRUN apt-get update\n',
  ],
  invalid: [
    { name: 'plain packages', code: 'FROM debian\nRUN apt-get install -y make gcc\n', output: 'FROM debian\nRUN apt-get install --no-install-recommends -y make gcc\n' },
    { name: 'HTTPS tools keep their certificates', code: 'FROM debian\nRUN apt-get install -y curl git\n', output: 'FROM debian\nRUN apt-get install --no-install-recommends -y curl git ca-certificates\n', messages: ['ca-certificates added'] },
    { name: 'certificates already listed', code: 'FROM debian\nRUN apt-get install -y curl ca-certificates\n', output: 'FROM debian\nRUN apt-get install --no-install-recommends -y curl ca-certificates\n' },
    { name: 'pip needs its recommends', code: 'FROM debian\nRUN apt-get install -y python3-pip\n', output: null, messages: ['python3-pip relies on its recommended packages'] },
    { name: 'a pinned list does not get an unpinned package', code: 'FROM debian\nRUN apt-get install -y curl=7.88.1-10\n', output: null, messages: ['this package list is pinned'] },
    { name: 'a variable package list', code: 'FROM debian\nRUN apt-get install -y $PKGS\n', output: null, messages: ['not literal'] },
  ],
});

ruleTester(aptLists, {
  valid: [
    'FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n',
    'FROM debian\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y curl\n',
    'FROM debian\nRUN apt-get install -y curl\n',
  ],
  invalid: [
    {
      code: 'FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl # tools\n',
      output: 'FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl && rm -rf /var/lib/apt/lists/* # tools\n',
    },
    { name: 'a later RUN relies on the lists', code: 'FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN apt-get install -y git\n', output: null, messages: ['a later RUN installs'] },
    { name: 'a stage built on it relies on the lists', code: 'FROM debian AS base\nRUN apt-get update && apt-get install -y curl\nFROM base\nRUN apt-get install -y git\n', output: null },
    { name: 'control flow at the end', code: 'FROM debian\nRUN apt-get update && if true; then apt-get install -y curl; fi\n', output: null, messages: ['end this RUN with'] },
  ],
});

ruleTester(apkNoCache, {
  valid: ['FROM alpine:3.2\nRUN apk add curl\n', 'FROM alpine:3\nRUN apk add --no-cache curl\n', 'FROM alpine:3\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n', 'FROM alpine:3\nRUN apk del curl\n'],
  invalid: [
    { code: 'FROM alpine:3\nRUN apk update && apk add curl && apk add --virtual .build gcc\n', output: 'FROM alpine:3\nRUN apk update && apk add --no-cache curl && apk add --no-cache --virtual .build gcc\n' },
    { code: 'FROM alpine:3\nRUN apk --update add curl\n', output: 'FROM alpine:3\nRUN apk --update add --no-cache curl\n' },
  ],
});

ruleTester(pipNoCache, {
  valid: [
    'FROM python:3.12\nRUN pip install --no-cache-dir flask\n',
    'FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n',
    'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n',
    'FROM python:3.12\nRUN pip freeze > r.txt\n',
  ],
  invalid: [
    { code: 'FROM python:3.12\nRUN pip install -r requirements.txt\n', output: 'FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt\n' },
    { code: 'FROM python:3.12\nRUN python3 -m pip install -U pip && pip3 install .\n', output: 'FROM python:3.12\nRUN python3 -m pip install --no-cache-dir -U pip && pip3 install --no-cache-dir .\n' },
  ],
});

ruleTester(pmCacheClean, {
  valid: [
    'FROM node:22\nRUN npm ci && npm cache clean --force\n',
    'FROM node:22\nRUN --mount=type=cache,target=/root/.npm npm ci\n',
    { name: 'a build stage cache never ships', code: 'FROM node:22 AS build\nRUN npm ci\nFROM node:22-slim\nCOPY --from=build /app /app\n' },
    { name: 'yarn berry keeps packages in .yarn/cache', code: 'FROM node:22\nCOPY .yarnrc.yml ./\nRUN yarn install\n' },
  ],
  invalid: [
    { code: 'FROM node:22\nRUN yarn install --frozen-lockfile\n', output: 'FROM node:22\nRUN yarn install --frozen-lockfile && yarn cache clean\n', ids: ['DO-NODE-PM-CACHE'] },
    { code: 'FROM node:22\nRUN npm install --production\n', output: 'FROM node:22\nRUN npm install --production && npm cache clean --force\n' },
  ],
});

ruleTester(noSudo, {
  valid: ['FROM debian\nRUN apt-get update\n', 'FROM debian\nRUN echo sudo\n'],
  invalid: [
    { code: 'FROM debian\nRUN sudo apt-get update && sudo make install\n', output: 'FROM debian\nRUN apt-get update && make install\n' },
    { name: 'USER root', code: 'FROM myorg/ci\nUSER root\nRUN sudo make install\n', output: 'FROM myorg/ci\nUSER root\nRUN make install\n' },
    { name: 'a non-root user needs it', code: 'FROM debian\nUSER app\nRUN sudo make install\n', output: null, messages: ['sudo is kept'] },
    { name: 'an unknown base user', code: 'FROM circleci/node\nRUN sudo make install\n', output: null },
    { name: 'options', code: 'FROM debian\nRUN sudo -u app make\n', output: null },
  ],
});

ruleTester(wgetProgress, {
  valid: ['FROM debian\nRUN wget -q https://x/y\n', 'FROM debian\nRUN wget -nv https://x/y\n', 'FROM alpine:3\nRUN wget https://x/y\n', 'FROM debian\nRUN wget --progress=bar:force https://x/y\n'],
  invalid: [{ code: 'FROM ubuntu:22.04\nRUN wget -O /tmp/x.tgz https://x/y.tgz\n', output: 'FROM ubuntu:22.04\nRUN wget --progress=dot:giga -O /tmp/x.tgz https://x/y.tgz\n' }],
});

ruleTester(pipNoCache, {
  valid: [],
  invalid: [
    { name: 'pip from Ubuntu 14.04 is too old for the flag', code: 'FROM ubuntu:14.04\nRUN apt-get install -y python-pip\nRUN pip install flask\n', output: null, messages: ['may predate --no-cache-dir'] },
    { name: 'distro pip of an unknown release', code: 'FROM myorg/base\nRUN apt-get install -y python3-pip && pip3 install flask\n', output: null },
    { name: 'distro pip of a recent release', code: 'FROM ubuntu:22.04\nRUN apt-get install -y python3-pip\nRUN pip3 install flask\n', output: 'FROM ubuntu:22.04\nRUN apt-get install -y python3-pip\nRUN pip3 install --no-cache-dir flask\n' },
    { name: 'upgraded by an earlier RUN', code: 'FROM ubuntu:14.04\nRUN apt-get install -y python-pip && pip install -U pip\nRUN pip install flask\n', output: 'FROM ubuntu:14.04\nRUN apt-get install -y python-pip && pip install -U pip\nRUN pip install --no-cache-dir flask\n' },
  ],
});
