# Stand-in for eclipse-temurin:17-jdk / -jre on a machine that cannot pull from a registry
# (docker/smoke builds it once): Debian's OpenJDK 17 on a Debian base imported from debootstrap.
# It trusts the host's local CAs (/usr/local/share/ca-certificates, copied into local-ca/ by
# docker/smoke): where egress goes through an intercepting proxy, Maven Central is reached through it.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY local-ca/ /usr/local/share/ca-certificates/
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates openjdk-17-jdk-headless \
 && rm -rf /var/lib/apt/lists/*
