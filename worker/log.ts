/**
 * The worker's logs: one line per step (job address, state, amounts), and a
 * progress line after each pass. Tests and the demo pass their own sink.
 */
export interface WorkerLog {
    info(line: string): void;
    warn(line: string): void;
    error(line: string): void;
    /** The progress line (a TTY may overwrite it; files get one line each time it changes). */
    progress(line: string): void;
}

/** Timestamped lines on stdout/stderr. */
export function consoleLog(prefix = 'worker'): WorkerLog {
    const ts = () => new Date().toISOString().replace('T', ' ').slice(0, 19);
    let lastProgress = '';
    return {
        info: (l) => console.log(`${ts()} [${prefix}] ${l}`),
        warn: (l) => console.warn(`${ts()} [${prefix}] WARN ${l}`),
        error: (l) => console.error(`${ts()} [${prefix}] ERROR ${l}`),
        progress: (l) => {
            if (l === lastProgress) return;
            lastProgress = l;
            console.log(`${ts()} [${prefix}] ${l}`);
        },
    };
}

/** A log that keeps its lines (tests), optionally echoing them. */
export class MemoryLog implements WorkerLog {
    readonly lines: string[] = [];
    constructor(private readonly echo?: (line: string) => void) {}
    private push(l: string) {
        this.lines.push(l);
        this.echo?.(l);
    }
    info(l: string) {
        this.push(l);
    }
    warn(l: string) {
        this.push(`WARN ${l}`);
    }
    error(l: string) {
        this.push(`ERROR ${l}`);
    }
    progress(l: string) {
        this.push(l);
    }
    get text(): string {
        return this.lines.join('\n');
    }
}

export const silentLog: WorkerLog = { info() {}, warn() {}, error() {}, progress() {} };
