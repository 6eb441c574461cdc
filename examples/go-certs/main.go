// Command go-certs loads the system CA pool at start-up (crypto/x509.SystemCertPool) and reports
// on GET / whether roots were found: 200 when they were, 503 when the image has none. It makes no
// network request, so it answers the same offline.
package main

import (
	"crypto/x509"
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	count := 0
	pool, err := x509.SystemCertPool()
	if err != nil {
		log.Printf("system cert pool: %v", err)
	} else {
		//lint:ignore SA1019 Subjects is fine for counting system roots.
		count = len(pool.Subjects())
	}
	log.Printf("go-certs: %d system CA roots", count)

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if count == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "system CA roots: missing")
			return
		}
		fmt.Fprintln(w, "system CA roots: loaded")
	})
	http.HandleFunc("/count", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%d\n", count)
	})

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
