# CPU image of the tutor: serves the UI and the HTTP API on 0.0.0.0:7860 (embedded Chroma and the
# built-in multilingual-e5-small by default; deploy/compose.yaml points it at Chroma, vLLM and PostgreSQL).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    ANONYMIZED_TELEMETRY=False \
    GRADIO_ANALYTICS_ENABLED=False \
    TUTOR_DATA_DIR=/data \
    TUTOR_EMBEDDINGS__VECTOR_CACHE_DIR=/data/vectors \
    TUTOR_CONFIG_DIR=/app/configs \
    TUTOR_API__HOST=0.0.0.0 \
    TUTOR_API__PORT=7860

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
EXPOSE 7860
# /healthz answers as soon as the server runs; /readyz says when the index is loaded.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:7860/healthz', timeout=4)" || exit 1
ENTRYPOINT ["tutor"]
# The UI at / and the API at /v1, /api (indexes the bundled corpus behind it at start, a no-op when
# /data already has it).  Replicas of a shared index: `serve --no-ingest`; the index job: `ingest`.
CMD ["serve"]
