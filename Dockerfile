# One image for every component: `node dist/bin/serve.js <gateway|identity|…>`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production LISTEN_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
# The processes read the committed supergraph, operation manifest and OpenAPI document next to their compiled code (dist/schema/).
COPY schema ./dist/schema
# The dashboard's static page and script (gateway/dashboard/public), beside its compiled routes.
COPY gateway/dashboard/public ./dist/gateway/dashboard/public
USER node
ENTRYPOINT ["node", "dist/bin/serve.js"]
