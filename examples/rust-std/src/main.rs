//! A tiny HTTP server on std::net only: GET / answers with static/index.html (read at run time from
//! the working directory), GET /health with "ok". Listens on 0.0.0.0:$PORT (default 8080).
use std::env;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    stream.flush()
}

fn handle(mut stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("");
    match (method, path) {
        ("GET", "/") => match fs::read("static/index.html") {
            Ok(page) => respond(&mut stream, "200 OK", "text/html; charset=utf-8", &page),
            Err(e) => respond(&mut stream, "500 Internal Server Error", "text/plain", format!("static/index.html: {e}\n").as_bytes()),
        },
        ("GET", "/health") => respond(&mut stream, "200 OK", "text/plain", b"ok\n"),
        ("GET", _) => respond(&mut stream, "404 Not Found", "text/plain", b"not found\n"),
        _ => respond(&mut stream, "405 Method Not Allowed", "text/plain", b"method not allowed\n"),
    }
}

fn main() -> std::io::Result<()> {
    let port = env::var("PORT").unwrap_or_else(|_| "8080".to_string());
    let listener = TcpListener::bind(format!("0.0.0.0:{port}"))?;
    println!("rust-std listening on 0.0.0.0:{port}");
    for stream in listener.incoming() {
        match stream {
            Ok(s) => {
                thread::spawn(move || {
                    if let Err(e) = handle(s) {
                        eprintln!("request failed: {e}");
                    }
                });
            }
            Err(e) => eprintln!("accept failed: {e}"),
        }
    }
    Ok(())
}
