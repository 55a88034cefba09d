# syntax=docker/dockerfile:1
#
# The csogate GitHub Action: a static binary in an image that holds nothing
# else but CA certificates and an empty /tmp. .ci/static-binary builds the
# binary exactly as below and runs it with no libc, so a non-static build is
# caught without a Docker engine.

FROM golang:1.26 AS build
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
