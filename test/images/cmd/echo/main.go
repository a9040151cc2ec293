// Command fedmesh-echo answers every TCP connection with one line naming the pod and the peer
// address it saw ("pod=NAME peer=IP:PORT"), then echoes what it receives; the HTTP listener
// answers every request with the same line. Tests use it to see which backend answered and
// whether the source address survived the path.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	tcp := flag.String("tcp", ":8080", "TCP echo listen address (empty: off)")
	web := flag.String("http", ":8081", "HTTP listen address (empty: off)")
	flag.Parse()
	pod, _ := os.Hostname()
	if *web != "" {
		go serveHTTP(*web, pod)
	}
	if *tcp == "" {
		select {}
	}
	serveTCP(*tcp, pod)
}

// line is the answer: which pod answered and whom it saw.
func line(pod, peer string) string { return fmt.Sprintf("pod=%s peer=%s\n", pod, peer) }

func serveTCP(addr, pod string) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatalf("fedmesh-echo: %v", err)
	}
	log.Printf("fedmesh-echo: tcp on %s", addr)
	for {
		c, err := l.Accept()
		if err != nil {
			log.Printf("fedmesh-echo: accept: %v", err)
			continue
		}
		go func() {
			defer c.Close()
			log.Printf("fedmesh-echo: connection from %s", c.RemoteAddr())
			if _, err := io.WriteString(c, line(pod, c.RemoteAddr().String())); err != nil {
				return
			}
			_, _ = io.Copy(c, c)
		}()
	}
}

func serveHTTP(addr, pod string) {
	log.Printf("fedmesh-echo: http on %s", addr)
	err := http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, line(pod, r.RemoteAddr))
	}))
	log.Fatalf("fedmesh-echo: %v", err)
}
