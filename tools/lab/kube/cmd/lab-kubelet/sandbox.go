package main

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// A sandbox is one container of a pod: a holder process owning a private mount
// namespace with the pod's emptyDir volumes bound at the container's mount paths. Every
// process of the container (its main command, each exec) runs in that namespace, so it
// sees the pod's files and no other pod's; deleting the pod kills them all.
type sandbox struct {
	holder  *exec.Cmd
	mntNS   string
	nsFile  *os.File // held open until the sandbox is killed: its number is not reused meanwhile
	env     []string
	workdir string
	logFile string
}

// A sandbox being made, or made: every caller for the same container waits for the one
// that makes it, and sandboxes of other containers are made meanwhile.
type sandboxEntry struct {
	made chan struct{}
	sb   *sandbox
	err  error
}

type sandboxes struct {
	dir    string
	client kubernetes.Interface
	mu     sync.Mutex
	// One removal at a time: two of the same pod (its update, then its delete) would
	// otherwise race to kill a namespace whose number the first one's end sets free.
	removing sync.Mutex
	byID     map[string]*sandboxEntry // "<pod uid>/<container>"
	gone     map[string]bool          // pods removed: an exec that looked one up before gets no new sandbox
}

func newSandboxes(dir string, client kubernetes.Interface) *sandboxes {
	return &sandboxes{dir: dir, client: client, byID: map[string]*sandboxEntry{}, gone: map[string]bool{}}
}

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

func (s *sandboxes) podDir(uid string) string { return filepath.Join(s.dir, "pods", uid) }

// ensure returns the container's sandbox, creating it (and starting the container's own
// command, whose output is the container log) the first time.
func (s *sandboxes) ensure(pod *corev1.Pod, name string) (*sandbox, error) {
	id := string(pod.UID) + "/" + name
	s.mu.Lock()
	if s.gone[string(pod.UID)] {
		s.mu.Unlock()
		return nil, fmt.Errorf("pod %s/%s is being deleted", pod.Namespace, pod.Name)
	}
	if entry, ok := s.byID[id]; ok {
		s.mu.Unlock()
		<-entry.made
		return entry.sb, entry.err
	}
	entry := &sandboxEntry{made: make(chan struct{})}
	s.byID[id] = entry
	s.mu.Unlock()
	entry.sb, entry.err = s.make(pod, name, id)
	if entry.err != nil {
		s.mu.Lock()
		if s.byID[id] == entry {
			delete(s.byID, id) // the next caller tries again
		}
		s.mu.Unlock()
	}
	close(entry.made)
	return entry.sb, entry.err
}

func (s *sandboxes) make(pod *corev1.Pod, name, id string) (*sandbox, error) {
	container := findContainer(pod, name)
	if container == nil {
		return nil, fmt.Errorf("container %s not found in pod %s/%s", name, pod.Namespace, pod.Name)
	}
	podDir := s.podDir(string(pod.UID))
	script := []string{"set -e"}
	args := []string{}
	for _, m := range container.VolumeMounts {
		src := filepath.Join(podDir, "volumes", m.Name)
		if err := os.MkdirAll(src, 0o777); err != nil {
			return nil, err
		}
		n := len(args)
		script = append(script, fmt.Sprintf(`mkdir -p "$%d" && mount --bind "$%d" "$%d"`, n+2, n+1, n+2))
		args = append(args, src, m.MountPath)
	}
	script = append(script, "echo ready", "exec sleep 2147483647")
	holder := exec.Command("unshare", append([]string{"--mount", "--propagation", "private", "/bin/sh", "-c", strings.Join(script, "\n"), "sandbox"}, args...)...)
	holder.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	stdout, err := holder.StdoutPipe()
	if err != nil {
		return nil, err
	}
	holder.Stderr = os.Stderr
	if err := holder.Start(); err != nil {
		return nil, fmt.Errorf("start sandbox: %w", err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		_ = holder.Process.Kill()
		_ = holder.Wait()
		return nil, fmt.Errorf("sandbox for %s did not start (%q): %v", id, line, err)
	}
	go func() { _ = holder.Wait() }()
	nsPath := fmt.Sprintf("/proc/%d/ns/mnt", holder.Process.Pid)
	nsFile, err := os.Open(nsPath)
	if err != nil {
		_ = holder.Process.Kill()
		return nil, err
	}
	mntNS, err := os.Readlink(nsPath)
	if err != nil {
		_ = holder.Process.Kill()
		nsFile.Close()
		return nil, err
	}
	sb := &sandbox{
		holder: holder, mntNS: mntNS, nsFile: nsFile, env: containerEnv(s.client, pod, container),
		workdir: container.WorkingDir, logFile: filepath.Join(podDir, "logs", name+".log"),
	}
	if sb.workdir == "" {
		sb.workdir = "/"
	}
	if err := os.MkdirAll(filepath.Dir(sb.logFile), 0o755); err != nil {
		return nil, err
	}
	// Remembered on disk, so a restarted lab-kubelet still ends this sandbox with its pod.
	if err := os.WriteFile(filepath.Join(podDir, fmt.Sprintf("mntns-%s-%d", name, holder.Process.Pid)), []byte(mntNS), 0o644); err != nil {
		return nil, err
	}
	sb.startMain(container)
	return sb, nil
}

// command runs cmd in the sandbox: its mount namespace, environment and working directory.
func (sb *sandbox) command(cmd []string) *exec.Cmd {
	args := append([]string{"--target", strconv.Itoa(sb.holder.Process.Pid), "--mount", "--", "/bin/sh", "-c",
		`cd -- "$1" 2>/dev/null || cd /; shift; exec "$@"`, "sh", sb.workdir}, cmd...)
	c := exec.Command("nsenter", args...)
	c.Env = sb.env
	// Like a container runtime: the process outlives the connection that started it.
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	c.WaitDelay = time.Second
	return c
}

// startMain runs the container's own command, if it has one; its output is the container log.
func (sb *sandbox) startMain(container *corev1.Container) {
	cmd := append(append([]string{}, container.Command...), container.Args...)
	f, err := os.OpenFile(sb.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		log.Printf("log file: %v", err)
		return
	}
	if len(cmd) == 0 {
		f.Close()
		return
	}
	c := sb.command(cmd)
	c.Stdout, c.Stderr = f, f
	if err := c.Start(); err != nil {
		fmt.Fprintf(f, "lab-kubelet: could not start %v: %v\n", cmd, err)
		f.Close()
		return
	}
	go func() { _ = c.Wait(); f.Close() }()
}

// remove kills every process of the pod's sandboxes and deletes its files.
func (s *sandboxes) remove(uid string) {
	s.removing.Lock()
	defer s.removing.Unlock()
	s.mu.Lock()
	if uid != "" {
		s.gone[uid] = true
	}
	var entries []*sandboxEntry
	for id, entry := range s.byID {
		if strings.HasPrefix(id, uid+"/") {
			entries = append(entries, entry)
			delete(s.byID, id)
		}
	}
	s.mu.Unlock()
	killed := map[string]bool{}
	for _, entry := range entries {
		<-entry.made
		if entry.sb != nil {
			killNamespace(entry.sb.mntNS)
			killed[entry.sb.mntNS] = true
			entry.sb.nsFile.Close()
		}
	}
	if uid == "" {
		return
	}
	// Sandboxes of an earlier lab-kubelet, remembered on disk: only while their holder
	// still lives in the namespace is the number surely theirs.
	files, _ := filepath.Glob(filepath.Join(s.podDir(uid), "mntns-*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		ns := string(data)
		if err != nil || killed[ns] {
			continue
		}
		pid, err := strconv.Atoi(f[strings.LastIndexByte(f, '-')+1:])
		if err != nil {
			continue
		}
		if link, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", pid)); err == nil && link == ns {
			killNamespace(ns)
		}
	}
	_ = os.RemoveAll(s.podDir(uid))
}

func (s *sandboxes) shutdown() {
	s.mu.Lock()
	uids := map[string]bool{}
	for id := range s.byID {
		uids[strings.SplitN(id, "/", 2)[0]] = true
	}
	s.mu.Unlock()
	for uid := range uids {
		s.remove(uid)
	}
}

// killNamespace kills every process whose mount namespace is ns. It holds the namespace
// open meanwhile: once its last process is gone the kernel could give its number to a
// new sandbox's namespace, whose processes the later rounds would then kill.
func killNamespace(ns string) {
	var held *os.File
	defer func() {
		if held != nil {
			held.Close()
		}
	}()
	for round := 0; round < 5; round++ {
		found := false
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			path := fmt.Sprintf("/proc/%d/ns/mnt", pid)
			if link, err := os.Readlink(path); err != nil || link != ns {
				continue
			}
			if held == nil {
				if held, err = os.Open(path); err != nil {
					held = nil
					continue
				}
				// Opened after the check: still the same namespace only if the link still says so.
				if link, err := os.Readlink(path); err != nil || link != ns {
					held.Close()
					held = nil
					continue
				}
			}
			found = true
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		if !found {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func findContainer(pod *corev1.Pod, name string) *corev1.Container {
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == name {
			return &pod.Spec.Containers[i]
		}
	}
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name == name {
			return &pod.Spec.InitContainers[i]
		}
	}
	return nil
}

// containerEnv is the container's environment as a kubelet builds it: envFrom sources,
// then env entries (plain values, secret and config map keys), and HOSTNAME.
func containerEnv(client kubernetes.Interface, pod *corev1.Pod, c *corev1.Container) []string {
	ctx := context.Background()
	env := []string{"PATH=" + defaultPath, "HOSTNAME=" + pod.Name, "HOME=/root"}
	secret := func(name string) map[string][]byte {
		if s, err := client.CoreV1().Secrets(pod.Namespace).Get(ctx, name, metav1.GetOptions{}); err == nil {
			return s.Data
		}
		return nil
	}
	configMap := func(name string) map[string]string {
		if m, err := client.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, name, metav1.GetOptions{}); err == nil {
			return m.Data
		}
		return nil
	}
	for _, from := range c.EnvFrom {
		if from.SecretRef != nil {
			for k, v := range secret(from.SecretRef.Name) {
				env = append(env, from.Prefix+k+"="+string(v))
			}
		}
		if from.ConfigMapRef != nil {
			for k, v := range configMap(from.ConfigMapRef.Name) {
				env = append(env, from.Prefix+k+"="+v)
			}
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env = append(env, e.Name+"="+e.Value)
		case e.ValueFrom.SecretKeyRef != nil:
			if v, ok := secret(e.ValueFrom.SecretKeyRef.Name)[e.ValueFrom.SecretKeyRef.Key]; ok {
				env = append(env, e.Name+"="+string(v))
			}
		case e.ValueFrom.ConfigMapKeyRef != nil:
			if v, ok := configMap(e.ValueFrom.ConfigMapKeyRef.Name)[e.ValueFrom.ConfigMapKeyRef.Key]; ok {
				env = append(env, e.Name+"="+v)
			}
		}
	}
	return env
}
