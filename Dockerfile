# siggate as a Concourse resource type: /opt/resource/{check,in,out}.
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY tools/build ./tools/build
RUN npm run build

FROM node:20-slim
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
RUN mkdir -p /opt/resource \
 && for script in check in out; do \
      printf '#!/bin/sh\nexec node /opt/siggate/bin/%s "$@"\n' "$script" > "/opt/resource/$script"; \
      chmod 0755 "/opt/resource/$script"; \
    done
