# Fallback for machines that reach Docker Hub but cannot debootstrap (not root, not Debian).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pytest python3-pytest-xdist git patch ca-certificates procps \
    && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8
