# Throughline in a container, for people who do not build Rust:
#
#   docker build -t throughline .
#   docker run --rm -p 127.0.0.1:8080:8080 -v throughline-data:/data throughline        # the demo
#   docker run --rm -p 127.0.0.1:8080:8080 -v throughline-data:/data throughline serve  # your data
#
# Two stages: the toolchain image builds the release binary; the final image is a slim
# Debian with that one binary (SQLite is compiled in, so it needs nothing but libc).

FROM rust:1-slim-bookworm AS build
WORKDIR /src
# The manifests first, so a change to the code alone does not fetch the crates again.
COPY Cargo.toml Cargo.lock ./
COPY crates crates
RUN cargo fetch --locked
RUN cargo build --release --locked --offline --bin throughline \
    && cp target/release/throughline /throughline

FROM debian:bookworm-slim
RUN useradd --system --create-home --home-dir /data throughline
# The pages answer loopback only until there is a login; inside a container requests come
# from the bridge, so the image opens them, and the commands above publish the port on the
# host's loopback alone.
RUN printf '[ui]\nopen = true\n' > /etc/throughline.toml
COPY --from=build /throughline /usr/local/bin/throughline
USER throughline
WORKDIR /data
# Listen on every interface inside the container; the data lives in the /data volume.
ENV THROUGHLINE_LISTEN=0.0.0.0:8080 \
    THROUGHLINE_DATA_DIR=/data/throughline-data \
    THROUGHLINE_CONFIG=/etc/throughline.toml
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["throughline"]
CMD ["demo"]
