/**
 * Sisimai, the reference bounce analyzer (Debian's libsisimai-perl), reading the same mails as the
 * feedback function: one perl process for the whole corpus, one JSON line per file.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface SisimaiRecord {
  readonly recipient: string;
  readonly deliverystatus: string;
  readonly reason: string;
  /** 1 soft, 0 hard, -1 neither (feedback, vacation). */
  readonly softbounce: number;
  readonly feedbacktype: string;
  readonly action: string;
}

const SCRIPT = `
use strict; use Sisimai; use JSON::PP;
my $json = JSON::PP->new->canonical;
for my $file (@ARGV) {
  my $records = Sisimai->make($file, vacation => 1) // [];
  print $json->encode({ file => $file, records => [ map {
    my $h = $_->damn;
    +{ map { $_ => $h->{$_} } qw(recipient deliverystatus reason softbounce feedbacktype action) }
  } @$records ] }), "\\n";
}`;

export async function sisimaiReadings(files: readonly string[]): Promise<Map<string, SisimaiRecord[]>> {
  const { stdout } = await promisify(execFile)('perl', ['-e', SCRIPT, ...files], { maxBuffer: 64 * 1024 * 1024 });
  const readings = new Map<string, SisimaiRecord[]>();
  for (const line of stdout.trim().split('\n')) {
    const { file, records } = JSON.parse(line) as { file: string; records: SisimaiRecord[] };
    readings.set(file, records);
  }
  return readings;
}

export async function sisimaiVersion(): Promise<string> {
  const { stdout } = await promisify(execFile)('perl', ['-MSisimai', '-e', 'print $Sisimai::VERSION']);
  return stdout.trim();
}
