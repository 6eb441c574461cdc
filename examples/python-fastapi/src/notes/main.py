import json
from importlib import resources

from fastapi import FastAPI

app = FastAPI(title="notes")
SEED = json.loads(resources.files("notes").joinpath("data/seed.json").read_text())


@app.get("/")
def root():
    return {"service": "notes", "notes": len(SEED)}


@app.get("/notes/{note_id}")
def note(note_id: int):
    return SEED[note_id] if 0 <= note_id < len(SEED) else {"error": "not found"}
