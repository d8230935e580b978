// Writes a tar stream (POSIX ustar, with PAX headers for long names) of a list of
// entries, reading each file only when its turn comes.
import { createReadStream } from 'node:fs';
const BLOCK = 512;
export async function* tarStream(entries) {
    for (const entry of entries) {
        const size = entry.type === 'file' ? entry.size : 0;
        const pax = paxRecords(entry);
        if (pax) {
            yield header({ name: 'PaxHeader', type: 'x', size: pax.length, mode: 0o644, mtime: entry.mtime, linkname: '' });
            yield padded(pax);
        }
        yield header({
            name: entry.path, type: entry.type === 'file' ? '0' : '2', size, mode: entry.type === 'file' ? entry.mode : 0o777,
            mtime: entry.mtime, linkname: entry.type === 'symlink' ? entry.target : '',
        });
        if (entry.type === 'file' && 'content' in entry) {
            yield entry.content;
            if (size % BLOCK)
                yield Buffer.alloc(BLOCK - (size % BLOCK));
        }
        else if (entry.type === 'file') {
            let written = 0;
            for await (const chunk of createReadStream(entry.source)) {
                const buf = chunk;
                // A file that grew since it was listed is cut at the size in its header.
                const take = buf.subarray(0, Math.max(0, size - written));
                written += take.length;
                if (take.length)
                    yield take;
                if (written >= size)
                    break;
            }
            if (written < size)
                yield Buffer.alloc(size - written); // shrank meanwhile: keep the archive valid
            if (size % BLOCK)
                yield Buffer.alloc(BLOCK - (size % BLOCK));
        }
    }
    yield Buffer.alloc(BLOCK * 2);
}
function paxRecords(entry) {
    const records = [];
    if (Buffer.byteLength(entry.path) > 100)
        records.push(paxRecord('path', entry.path));
    if (entry.type === 'symlink' && Buffer.byteLength(entry.target) > 100)
        records.push(paxRecord('linkpath', entry.target));
    return records.length ? Buffer.from(records.join(''), 'utf8') : null;
}
// A PAX record is "<length> <key>=<value>\n" where length counts the whole record.
function paxRecord(key, value) {
    const body = ` ${key}=${value}\n`;
    const bodyLength = Buffer.byteLength(body);
    let length = bodyLength + String(bodyLength).length;
    while (String(length).length + bodyLength !== length)
        length = String(length).length + bodyLength;
    return `${length}${body}`;
}
function header(h) {
    const buf = Buffer.alloc(BLOCK);
    writeString(buf, 0, 100, h.name);
    writeOctal(buf, 100, 8, h.mode & 0o7777);
    writeOctal(buf, 108, 8, 0);
    writeOctal(buf, 116, 8, 0);
    writeOctal(buf, 124, 12, h.size);
    writeOctal(buf, 136, 12, Math.floor(h.mtime));
    buf.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
    buf.write(h.type, 156, 1, 'ascii');
    writeString(buf, 157, 100, h.linkname);
    buf.write('ustar\u000000', 257, 8, 'binary');
    let sum = 0;
    for (const byte of buf)
        sum += byte;
    writeOctal(buf, 148, 7, sum);
    buf[155] = 0x20;
    return buf;
}
function writeString(buf, offset, length, value) {
    const bytes = Buffer.from(value, 'utf8');
    bytes.copy(buf, offset, 0, Math.min(length, bytes.length));
}
function writeOctal(buf, offset, length, value) {
    buf.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'ascii');
}
function padded(data) {
    const rest = data.length % BLOCK;
    return rest ? Buffer.concat([data, Buffer.alloc(BLOCK - rest)]) : data;
}
