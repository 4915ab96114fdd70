# ksbquiz in a container: the bots, /healthz and /metrics, the database on a volume.
#   docker build -t ksbquiz .
#   docker run -d --name ksbquiz -v ksbquiz-data:/var/lib/ksbquiz \
#     -e KSBQUIZ_TELEGRAM_TOKEN=... -e KSBQUIZ_DISCORD_TOKEN=... ksbquiz
# The standards, prompts and question bank are built into the binary; mount a folder at
# /var/lib/ksbquiz/project and set KSBQUIZ_ROOT to it to add or override files.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
# The same build command the README gives (`cargo build --release --locked`): Cargo.lock
# pins every dependency; rustls, so no OpenSSL is needed.
RUN cargo build --release --locked && strip target/release/ksbquiz

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/ksbquiz ksbquiz \
 && mkdir -p /var/lib/ksbquiz && chown ksbquiz:ksbquiz /var/lib/ksbquiz
COPY --from=build /src/target/release/ksbquiz /usr/local/bin/ksbquiz
USER ksbquiz
WORKDIR /var/lib/ksbquiz
ENV KSBQUIZ_DB=/var/lib/ksbquiz/db \
    KSBQUIZ_HTTP=0.0.0.0:9090 \
    KSBQUIZ_LOG_FORMAT=json \
    KSBQUIZ_LOG=info \
    XDG_CACHE_HOME=/var/lib/ksbquiz/cache
VOLUME ["/var/lib/ksbquiz"]
EXPOSE 9090
# SIGTERM (docker stop) stops input, finishes answers in flight and flushes within 10 s.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9090/healthz || exit 1
ENTRYPOINT ["ksbquiz"]
CMD ["serve"]
