# The coalition bot in a container: runtime dependencies only (pinned by constraints.txt), a
# non-root user, data (SQLite database, key file, backups) in the /app/data volume.
#   docker build -t coalition-bot .
#   docker run -d --name coalition-bot --env-file .env -v coalition-bot-data:/app/data coalition-bot
# or, simpler, `docker compose up -d` (compose.yaml). See docs/running.md.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
COPY db ./db
# The build's own build/ folder stays in this stage.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --constraint constraints.txt .

FROM python:3.11-slim
LABEL org.opencontainers.image.title="coalition-bot" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later"
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin bot \
    && mkdir -p /app/data \
    && chown bot:bot /app/data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
# Relative paths are relative to the config file's folder: /app/config.toml (optional, mount it
# read-only) puts the database, the key file and backups in /app/data.
WORKDIR /app
USER 10001:10001
VOLUME ["/app/data"]
# Healthy while the bot is connected to Discord (it touches /app/data/heartbeat every 30 s).
HEALTHCHECK --interval=60s --timeout=15s --start-period=120s --retries=3 CMD ["python", "-m", "bot", "health"]
# The same command the tests run; docker stop sends SIGTERM, which the bot handles cleanly.
CMD ["python", "-m", "bot"]
