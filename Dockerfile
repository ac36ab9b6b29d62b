# faultline as a container image. Build:   docker build -t faultline .
# Run on the scenarios of the current folder, reports written beside them and owned by you:
#   docker run --rm -v "$PWD:/work" --user "$(id -u):$(id -g)" faultline run scenarios/*.yaml --out reports
# (the image's working folder is /work; its own bundled scenarios are in /opt/faultline/scenarios;
# without --user it runs as the unprivileged user node, uid 1000).

# Build stage: every dependency, to compile the TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /opt/faultline
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# The image: production dependencies only, the compiled CLI and what it reads at run time
# (report templates, the JSON Schema `faultline init` points to, the bundled scenarios).
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/faultline
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /opt/faultline/dist ./dist
COPY templates ./templates
COPY docs/scenario.schema.json ./docs/scenario.schema.json
COPY scenarios ./scenarios
RUN chmod +x dist/cli/main.js && ln -s /opt/faultline/dist/cli/main.js /usr/local/bin/faultline
WORKDIR /work
USER node
ENTRYPOINT ["faultline"]
CMD ["--help"]
