export declare const KAFKAJS_TIMER_FILE: RegExp;
export declare function patchKafkajsTimer(source: string, path: string): string;
