# syntax=docker/dockerfile:1
#
# The csogate GitHub Action built from source, for developing csogate itself
# (dev/action.yml): a static binary in an image that holds nothing else but
# CA certificates and an empty /tmp. Workflows use the published image
# instead (action.yml, built from release binaries by Dockerfile.release).
# .ci/static-binary builds the binary exactly as below and runs it with no
# libc, so a non-static build is caught without a Docker engine.

# The build image is pinned by digest so a rebuild of the same commit uses the
# same compiler and CA certificates; its Go version is go.mod's go line (a
# test in internal/action holds the two together). To update, after changing
# go.mod, take the digest the registry serves for the new tag:
#   docker buildx imagetools inspect golang:1.26.8-bookworm   (the "Digest:" line)
#   (or: crane digest golang:1.26.8-bookworm)
# and replace both the tag and the digest below.
FROM golang:1.26.8-bookworm@sha256:dc9ad6c05acc7a88e5b71bde60a5fe3bd4b9f0db209011711b464107438a8107 AS build
# A release build may name its version: --build-arg VERSION=v1.2.3. The
# runner passes no build arguments when it builds the action, and the build
# context has no .git (see .dockerignore; the runner builds from GitHub's
# tarball of the action's repository anyway): the binary then names the
# commit that git archive wrote into internal/buildinfo/archive.txt
# (export-subst in .gitattributes), so it never calls itself "dev".
ARG VERSION=
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /rootfs/csogate ./cmd/csogate \
 && mkdir -p /rootfs/etc/ssl/certs /rootfs/tmp \
 && chmod 1777 /rootfs/tmp \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ca-certificates.crt

# The final image sets neither USER nor WORKDIR. A Docker action runs as root
# on purpose: the runner mounts the workspace and the files behind
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY owned by its own user, and makes the
# workspace the working directory; GitHub's documentation asks actions to keep
# the default user so they can write there. The binary needs no privilege
# beyond that: it only reads the workspace and talks to the GitHub API.
FROM scratch
COPY --from=build /rootfs/ /
ENTRYPOINT ["/csogate", "action"]
