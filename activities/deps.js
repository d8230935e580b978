/** Reads WHARF_TEMPORAL_PAUSE_AFTER="createPod=2000,deletePod=2000" (crash tests only). */
export function pausesFromEnv(value) {
    const pauses = {};
    for (const part of (value ?? '').split(',')) {
        const [name, ms] = part.split('=');
        if ((name === 'createPod' || name === 'deletePod') && Number(ms) > 0)
            pauses[name] = Number(ms);
    }
    return pauses;
}
export function pause(ms) {
    return ms ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
