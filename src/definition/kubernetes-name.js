// Turns a stage or step name into a DNS-1123 label fragment, or null when nothing usable
// remains. Names may use letters, digits, '-', '_', '.' and spaces, and start with a
// letter or digit; everything but letters, digits and '-' becomes '-'.
export function kubernetesName(name) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_. -]*$/.test(name))
        return null;
    const label = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
    return label || null;
}
