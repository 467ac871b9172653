# migguard container image: a static (musl) binary on distroless (no shell, no libc).
#
#   docker build -t migguard .
#   docker run --rm -e DATABASE_URL -v "$PWD:/app" migguard release-check /app/dist/migrations
#
# As a release step (Fly.io `release_command`, a Kubernetes Job) the migrations must be
# in the container: mount them as above, or copy the binary into the application image,
# which works on any Linux base because the binary is static:
#
#   COPY --from=ghcr.io/migguard/migguard /usr/local/bin/migguard /usr/local/bin/migguard
#   # release_command = "migguard release-check dist/migrations && npx typeorm migration:run -d dist/data-source.js"
#
# TLS needs no CA bundle in the image: the web PKI roots are compiled in (webpki-roots),
# and `sslrootcert` can point at a mounted file.

# --- build: Alpine's Rust is musl-native, so `cargo build` links statically ------------
FROM rust:1.89-alpine AS build
# mimalloc and ring compile C.
RUN apk add --no-cache build-base
WORKDIR /src
# Release binaries carry no debug info and no symbols (Cargo.toml keeps debug = 1 for
# profiling); set for both builds so the cached dependency layer matches.
ENV CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=symbols
# Manifests first: the dependency build is cached until Cargo.toml/Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
COPY benches benches
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
 && cargo build --release --locked \
 && rm -rf src
COPY src src
COPY rules rules
# touch: the placeholder build left newer artifacts than the real sources' mtimes.
RUN touch src/main.rs src/lib.rs \
 && cargo build --release --locked \
 && ./target/release/migguard --version

# --- final: no shell, no package manager, runs as an unprivileged user ------------------
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/target/release/migguard /usr/local/bin/migguard
WORKDIR /app
ENTRYPOINT ["/usr/local/bin/migguard"]
CMD ["--help"]
