# siggate as a Concourse resource type: /opt/resource/{check,in,out} (the default, last stage).
# `--target worker`: the deployer's worker image, entry point `siggate deploy` (PROJECTNAME, GITBRANCH, CONFIGPATH).
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY tools/build ./tools/build
RUN npm run build

FROM node:20-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends git gnupg openssh-client ca-certificates git-lfs git-crypt proxytunnel \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/siggate
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/dist/bundle ./dist/bundle
COPY bin ./bin
# the build stage has no git, so the code caches are written here (see tools/build/warm-up.mjs)
COPY tools/build/warm-up.mjs ./tools/build/warm-up.mjs
COPY tools/build/warm-up ./tools/build/warm-up
RUN node tools/build/warm-up.mjs && ls dist/bundle/cli.cjs.v8cache dist/bundle/resource.cjs.v8cache

FROM runtime AS worker
WORKDIR /work
ENTRYPOINT ["node", "/opt/siggate/bin/siggate", "deploy"]

FROM runtime AS resource
RUN mkdir -p /opt/resource \
 && for script in check in out; do \
      printf '#!/bin/sh\nexec node /opt/siggate/bin/%s "$@"\n' "$script" > "/opt/resource/$script"; \
      chmod 0755 "/opt/resource/$script"; \
    done
