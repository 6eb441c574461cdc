import uvicorn


def main() -> None:
    uvicorn.run("notes.main:app", host="0.0.0.0", port=8000)
