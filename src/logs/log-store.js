// Persists each build's log lines per step on disk, so `wharf-temporal logs` works during
// a build, after it and after a worker restart. Log lines never go into workflow history.
//
// Layout: <root>/<build id>/<stage>/<step>.jsonl
import { appendFileSync, mkdirSync, readdirSync, readFileSync, existsSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { parseLogRecords } from './log-record.js';
export class LogStore {
    root;
    constructor(root) {
        this.root = root;
    }
    stepFile(ref) {
        return join(this.root, safe(ref.buildId), safe(ref.stage), `${safe(ref.step)}.jsonl`);
    }
    /** Opens a step's log for appending; it knows what was stored before (resume offsets). */
    openWriter(ref, secrets = []) {
        return new StepLogWriter(this.stepFile(ref), secrets);
    }
    /** The steps of a build that have logs, as [stage, step] pairs. */
    steps(buildId) {
        const dir = join(this.root, safe(buildId));
        if (!existsSync(dir))
            return [];
        const refs = [];
        for (const stage of readdirSync(dir)) {
            if (!statSync(join(dir, stage)).isDirectory())
                continue;
            for (const file of readdirSync(join(dir, stage))) {
                if (file.endsWith('.jsonl'))
                    refs.push({ buildId, stage: unsafe(stage), step: unsafe(file.slice(0, -'.jsonl'.length)) });
            }
        }
        return refs;
    }
    /** Reads a step's records from byte `from`; returns them and the offset to continue at. */
    read(ref, from = 0) {
        const file = this.stepFile(ref);
        if (!existsSync(file))
            return { records: [], next: from };
        const size = statSync(file).size;
        if (size <= from)
            return { records: [], next: from };
        const fd = openSync(file, 'r');
        try {
            const buf = Buffer.alloc(size - from);
            readSync(fd, buf, 0, buf.length, from);
            // Only hand out whole lines; a line being written is read next time.
            const end = buf.lastIndexOf(0x0a) + 1;
            return { records: parseLogRecords(buf.subarray(0, end).toString('utf8')), next: from + end };
        }
        finally {
            closeSync(fd);
        }
    }
}
export class StepLogWriter {
    file;
    secrets;
    /** Offsets of stdout/stderr already stored: lines ending at or before them are duplicates. */
    stored;
    constructor(file, secrets) {
        this.file = file;
        this.secrets = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
        mkdirSync(join(file, '..'), { recursive: true });
        this.stored = { out: 0, err: 0 };
        if (existsSync(file)) {
            for (const r of parseLogRecords(readFileSync(file, 'utf8'))) {
                if ((r.s === 'out' || r.s === 'err') && r.o !== undefined)
                    this.stored[r.s] = Math.max(this.stored[r.s], r.o);
            }
        }
    }
    /** Appends lines of one stream; lines already stored by an earlier attempt are skipped. */
    write(stream, lines, now = Date.now()) {
        const fresh = [];
        for (const line of lines) {
            if (stream !== 'sys' && line.endOffset !== undefined) {
                if (line.endOffset <= this.stored[stream])
                    continue;
                this.stored[stream] = line.endOffset;
            }
            const record = { t: now, s: stream, l: this.mask(line.text) };
            if (stream !== 'sys' && line.endOffset !== undefined)
                record.o = line.endOffset;
            fresh.push(record);
        }
        if (fresh.length > 0)
            appendFileSync(this.file, fresh.map((r) => JSON.stringify(r)).join('\n') + '\n');
        return fresh;
    }
    mask(text) {
        let out = text;
        for (const secret of this.secrets)
            out = out.split(secret).join('***');
        return out;
    }
}
// Stage and step names become folder and file names: keep them readable but harmless.
function safe(name) {
    return encodeURIComponent(name).replace(/\./g, '%2E');
}
function unsafe(name) {
    return decodeURIComponent(name);
}
