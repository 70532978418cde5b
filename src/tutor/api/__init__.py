"""The HTTP API: an OpenAI-compatible chat endpoint with the tutor as the model, plus retrieval,
what-next, learner progress and health, over the same application (`tutor.app.build`) the CLI and the
UI use.  `tutor serve` runs it (alone, or with the Gradio UI mounted in the same FastAPI app).

Modules, one job each: `settings` (ApiSettings), `keys` (hashed API keys at rest), `auth` (who is
calling, and may they touch this learner), `limits` (request size and per-key rate limits),
`schemas` (request/response models, the OpenAPI schema), `chat` (/v1/*), `routes` (/api/*, health),
`startup` (the start-up ingest behind a serving process), `factory` (the FastAPI app, UI mount).
"""
