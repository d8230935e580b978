// One stored log line. Stored as JSON lines, one file per build step.
export function parseLogRecords(text) {
    const records = [];
    for (const line of text.split('\n')) {
        if (!line)
            continue;
        try {
            const r = JSON.parse(line);
            if (typeof r.t === 'number' && typeof r.l === 'string')
                records.push(r);
        }
        catch {
            // A torn last line from a crash mid-write: ignore it, the resume offset re-reads it.
        }
    }
    return records;
}
