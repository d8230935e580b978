export class Reporter {
    walker;
    errors = [];
    warnings = [];
    file;
    constructor(file, walker) {
        this.file = file;
        this.walker = walker;
    }
    error(where, path, message) {
        this.errors.push(this.at(where, path, message));
    }
    warn(where, path, message) {
        this.warnings.push(this.at(where, path, message));
    }
    position(where) {
        return where !== null && 'line' in where ? where : this.walker.position(where);
    }
    at(where, path, message) {
        return { file: this.file, ...this.position(where), path, message };
    }
}
