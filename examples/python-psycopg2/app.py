"""Answers with the libpq version psycopg2 was built against; no database needed."""
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

import psycopg2
import psycopg2.extensions


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"psycopg2 {psycopg2.__version__} libpq {psycopg2.extensions.libpq_version()}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8000"))), Handler).serve_forever()
