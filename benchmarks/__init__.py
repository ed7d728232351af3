"""Reproducible benchmarks of ftclient against a raw aiohttp loop and the openai SDK."""
