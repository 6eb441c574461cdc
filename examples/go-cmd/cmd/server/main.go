// Command server renders templates/index.html (read from disk at start-up)
// and reports the version stamped in at build time with -ldflags.
package main

import (
	"flag"
	"html/template"
	"log"
	"net/http"
	"path/filepath"

	"example.com/go-cmd/internal/catalog"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	dir := flag.String("templates", "templates", "directory holding the HTML templates")
	flag.Parse()

	tmpl := template.Must(template.ParseGlob(filepath.Join(*dir, "*.html")))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		data := struct {
			Version string
			Items   []catalog.Item
		}{version, catalog.Items()}
		if err := tmpl.ExecuteTemplate(w, "index.html", data); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(version + "\n"))
	})

	log.Printf("go-cmd %s listening on %s", version, *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}
