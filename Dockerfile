# govscan in a container: CI jobs run it on a checkout, the pre-commit hook `govscan-docker` runs it
# on the files of a commit. Build it from a clone of the repository (no image is published yet):
#
#   docker build -t govscan .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/scan" -e GOVSCAN_SECRET govscan check publish/ -o x.sarif --format sarif
#
# A container's key file goes with the container: pass the team's key as GOVSCAN_SECRET, or the
# fingerprints will match no baseline and no earlier scan.
FROM python:3.11-slim-bookworm

# The Debian packages govscan calls: Tesseract with Russian and Kazakh (scanned PDFs and images),
# antiword and catdoc (legacy Word .doc), a Cyrillic TrueType font (the demo's PDFs). PostgreSQL
# needs no client library: the `postgres` extra installs psycopg's binary wheel.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz antiword catdoc fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# Installed from this source tree (rules/ goes into the wheel), with the PostgreSQL driver and the
# Celery/Redis executor (`govscan worker`, deploy/docker-compose.yaml); the tree is not kept.
COPY . /tmp/govscan-src
RUN pip install "/tmp/govscan-src[postgres,distributed]" \
    && rm -rf /tmp/govscan-src \
    && govscan --version

# Not root. The key directory is writable whatever --user a runner passes (pre-commit passes its own).
RUN useradd --create-home --uid 10001 govscan \
    && mkdir -p /scan /tmp/govscan-home \
    && chown govscan /scan \
    && chmod 1777 /tmp/govscan-home
ENV GOVSCAN_HOME=/tmp/govscan-home
USER govscan
WORKDIR /scan

ENTRYPOINT ["govscan"]
CMD ["--help"]
