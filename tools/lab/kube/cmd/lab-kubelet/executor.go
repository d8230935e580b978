package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

type executor struct {
	client    kubernetes.Interface
	pods      corelisters.PodLister
	sandboxes *sandboxes
}

// getPod reads the pod from the informer's cache, and from the API server only when the
// cache has not seen it yet: an exec per step must not queue behind the client's rate limit.
func getPod(ctx context.Context, client kubernetes.Interface, pods corelisters.PodLister, ns, name string) (*corev1.Pod, error) {
	if pod, err := pods.Pods(ns).Get(name); err == nil {
		return pod, nil
	}
	return client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
}

// ExecInContainer runs cmd in the container's sandbox. A non-zero exit is returned as an
// ExitError, which the streaming library reports as the kubelet does (NonZeroExitCode).
func (e *executor) ExecInContainer(ctx context.Context, name, _ string, container string, cmd []string, in io.Reader, out, errw io.WriteCloser, _ bool, _ <-chan remotecommand.TerminalSize, _ time.Duration) error {
	ns, podName, _ := strings.Cut(name, "/")
	pod, err := getPod(ctx, e.client, e.pods, ns, podName)
	if err != nil {
		return err
	}
	if pod.DeletionTimestamp != nil {
		return fmt.Errorf("pod %s/%s is being deleted", ns, podName)
	}
	sb, err := e.sandboxes.ensure(pod, container)
	if err != nil {
		return err
	}
	if len(cmd) == 0 {
		return errors.New("no command given")
	}
	c := sb.command(cmd)
	if in != nil {
		c.Stdin = in
	}
	c.Stdout, c.Stderr = writerOrDiscard(out), writerOrDiscard(errw)
	err = c.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code := exitErr.ExitCode()
		if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			code = 128 + int(status.Signal())
		}
		if code == 0 {
			return nil
		}
		return utilexec.CodeExitError{Err: err, Code: code}
	}
	return err
}

func writerOrDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// watchPods starts the sandboxes of pods bound to the lab's nodes and tears them down
// when the pods are deleted.
func watchPods(client kubernetes.Interface, s *sandboxes, nodes []string, stop <-chan struct{}) corelisters.PodLister {
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermNotEqualSelector("spec.nodeName", "").String()
	}))
	pods := factory.Core().V1().Pods()
	informer := pods.Informer()
	sync := func(obj any) {
		pod, ok := obj.(*corev1.Pod)
		if !ok || !slices.Contains(nodes, pod.Spec.NodeName) {
			return
		}
		if pod.DeletionTimestamp != nil {
			go s.remove(string(pod.UID)) // off the informer's goroutine: new pods' sandboxes need not wait
			return
		}
		for _, c := range pod.Spec.Containers {
			if _, err := s.ensure(pod, c.Name); err != nil {
				fmt.Fprintf(os.Stderr, "sandbox %s/%s/%s: %v\n", pod.Namespace, pod.Name, c.Name, err)
			}
		}
	}
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    sync,
		UpdateFunc: func(_, obj any) { sync(obj) },
		DeleteFunc: func(obj any) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			if pod, ok := obj.(*corev1.Pod); ok {
				go s.remove(string(pod.UID))
			}
		},
	})
	factory.Start(stop)
	return pods.Lister()
}

// serveLogs returns the output of the container's own command (tailLines, follow).
func serveLogs(w http.ResponseWriter, r *http.Request, client kubernetes.Interface, pods corelisters.PodLister, s *sandboxes) {
	ns, podName, container := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	pod, err := getPod(r.Context(), client, pods, ns, podName)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	sb, err := s.ensure(pod, container)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	data, _ := os.ReadFile(sb.logFile)
	if tail := r.URL.Query().Get("tailLines"); tail != "" {
		if n, err := strconv.Atoi(tail); err == nil {
			lines := strings.SplitAfter(string(data), "\n")
			if lines[len(lines)-1] == "" {
				lines = lines[:len(lines)-1]
			}
			if len(lines) > n {
				lines = lines[len(lines)-n:]
			}
			data = []byte(strings.Join(lines, ""))
		}
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(data)
	if r.URL.Query().Get("follow") != "true" {
		return
	}
	offset := int64(len(data))
	if fi, err := os.Stat(sb.logFile); err == nil {
		offset = fi.Size()
	}
	flusher, _ := w.(http.Flusher)
	for {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
		f, err := os.Open(sb.logFile)
		if err != nil {
			return // the pod was deleted
		}
		_, _ = f.Seek(offset, io.SeekStart)
		n, _ := io.Copy(w, f)
		f.Close()
		offset += n
		if flusher != nil {
			flusher.Flush()
		}
	}
}
