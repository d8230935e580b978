export class LogFollower {
    offsets = new Map();
    timer = null;
    store;
    buildId;
    sink;
    onlyStep;
    constructor(store, buildId, sink, onlyStep = null) {
        this.store = store;
        this.buildId = buildId;
        this.sink = sink;
        this.onlyStep = onlyStep;
    }
    /** Prints what is new since the last call; returns how many records that was. */
    poll() {
        let count = 0;
        for (const ref of this.store.steps(this.buildId)) {
            if (this.onlyStep && ref.step !== this.onlyStep && `${ref.stage}/${ref.step}` !== this.onlyStep)
                continue;
            const key = `${ref.stage}\u0000${ref.step}`;
            const { records, next } = this.store.read(ref, this.offsets.get(key) ?? 0);
            this.offsets.set(key, next);
            for (const record of records)
                this.sink(ref, record);
            count += records.length;
        }
        return count;
    }
    start(intervalMs = 150) {
        this.timer ??= setInterval(() => this.poll(), intervalMs);
    }
    stop() {
        if (this.timer)
            clearInterval(this.timer);
        this.timer = null;
        this.poll();
    }
}
/** All of a build's records, every step merged in time order. */
export function readAllRecords(store, buildId, onlyStep = null) {
    const all = [];
    new LogFollower(store, buildId, (step, record) => all.push({ step, record }), onlyStep).poll();
    return all.sort((a, b) => a.record.t - b.record.t);
}
