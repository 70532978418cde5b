# CPU image of the tutor: embedded Chroma, built-in multilingual-e5-small, no GPU needed.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    ANONYMIZED_TELEMETRY=False \
    TUTOR_DATA_DIR=/data \
    TUTOR_CONFIG_DIR=/app/configs

RUN useradd --create-home --uid 10001 tutor
WORKDIR /app

# The CPU wheel of torch keeps the image small (the default index serves CUDA builds).
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY src ./src
COPY configs ./configs
COPY corpus ./corpus
RUN pip install . && mkdir -p /data && chown tutor:tutor /data

USER tutor
VOLUME ["/data"]
# Index the bundled corpus at start (a no-op when /data already has it).
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD tutor config show > /dev/null && test -f /data/index/local/multilingual-e5-small/manifest.json || exit 1
ENTRYPOINT ["tutor"]
CMD ["ingest"]
