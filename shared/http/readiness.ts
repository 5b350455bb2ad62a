/** Whether this instance takes new work. The launcher flips it on SIGTERM; the readiness probe reads it. */
export class Readiness {
  #draining = false;

  get ready(): boolean {
    return !this.#draining;
  }

  markDraining(): void {
    this.#draining = true;
  }
}
