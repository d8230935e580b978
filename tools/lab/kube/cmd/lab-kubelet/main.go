// lab-kubelet serves what a kubelet serves to the API server for the lab's simulated
// nodes: exec (and container logs), on the kubelet streaming library itself, so the wire
// protocol, stdin close and exit-code statuses are exactly a kubelet's. kwok simulates
// the pod and node status; this process runs what a container would run, on the host,
// inside a mount namespace of the pod's own where its emptyDir volumes are mounted.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
)

func main() {
	addr := flag.String("address", "127.0.0.1:10250", "where to serve")
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the lab's API server")
	certFile := flag.String("tls-cert", "", "serving certificate")
	keyFile := flag.String("tls-key", "", "serving key")
	stateDir := flag.String("state-dir", "", "folder for the pods' volumes and logs")
	nodes := flag.String("nodes", "lab-node-0", "comma-separated simulated node names this kubelet serves")
	namespace := flag.String("ensure-namespace", "", "namespace to create if missing")
	flag.Parse()

	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		log.Fatalf("kubeconfig: %v", err)
	}
	// A kubelet's own client limits (kubeAPIQPS, kubeAPIBurst), not client-go's 5 and 10.
	config.QPS, config.Burst = 50, 100
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		log.Fatalf("client: %v", err)
	}
	port := (*addr)[strings.LastIndex(*addr, ":")+1:]
	if err := ensureNodes(client, strings.Split(*nodes, ","), port); err != nil {
		log.Fatalf("nodes: %v", err)
	}
	if *namespace != "" {
		if err := ensureNamespace(client, *namespace); err != nil {
			log.Fatalf("namespace: %v", err)
		}
	}

	sandboxes := newSandboxes(*stateDir, client)
	stop := make(chan struct{})
	pods := watchPods(client, sandboxes, strings.Split(*nodes, ","), stop)

	mux := http.NewServeMux()
	exec := &executor{client: client, pods: pods, sandboxes: sandboxes}
	mux.HandleFunc("/exec/{namespace}/{pod}/{container}", func(w http.ResponseWriter, r *http.Request) {
		opts, err := remotecommand.NewOptions(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ns, pod, container := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
		remotecommand.ServeExec(w, r, exec, ns+"/"+pod, "", container, r.URL.Query()["command"], opts,
			4*time.Hour, remotecommand.DefaultStreamCreationTimeout, remotecommand.SupportedStreamingProtocols)
	})
	mux.HandleFunc("/containerLogs/{namespace}/{pod}/{container}", func(w http.ResponseWriter, r *http.Request) {
		serveLogs(w, r, client, pods, sandboxes)
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })

	server := &http.Server{Addr: *addr, Handler: mux, TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	go func() {
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
		<-signals
		close(stop)
		sandboxes.shutdown()
		server.Close()
	}()
	log.Printf("lab-kubelet serving nodes %s on %s", *nodes, *addr)
	if err := server.ListenAndServeTLS(*certFile, *keyFile); err != nil && err != http.ErrServerClosed {
		log.Fatalf("serve: %v", err)
	}
}
