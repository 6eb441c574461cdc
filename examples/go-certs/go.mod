module example.com/go-certs

go 1.21
