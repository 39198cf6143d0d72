# One image for every Koma service; docker-compose.yml picks the command.
FROM node:22-bookworm-slim
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node --import tsx scripts/copy-tldraw-assets.ts && npx next build
USER node
EXPOSE 3000 1234
CMD ["npm", "run", "start:web"]
