"""A small Flask app: renders a template, serves a static file, answers JSON."""
import platform

from flask import Flask, jsonify, render_template

app = Flask(__name__)


@app.get("/")
def index():
    return render_template("index.html", python=platform.python_version())


@app.get("/api/health")
def health():
    return jsonify(status="ok")
