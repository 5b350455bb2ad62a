import { BodyBudget } from '../../../../shared/launcher/inflight';

describe('BodyBudget', () => {
  it('when bodies fit together, then each is reserved; one more that does not fit is refused', () => {
    const budget = new BodyBudget(100);

    const first = budget.reserve(60);
    const second = budget.reserve(40);
    const third = budget.reserve(1);

    expect([first, second].every((release) => typeof release === 'function')).toBe(true);
    expect(third).toBeUndefined();
    expect(budget.inUse()).toBe(100);
  });

  it('when a body is released, then its bytes are free again, once, however often release is called', () => {
    const budget = new BodyBudget(100);
    const release = budget.reserve(70);

    release?.();
    release?.();

    expect(budget.inUse()).toBe(0);
    expect(budget.reserve(100)).toBeDefined();
  });

  it('when one body is larger than the whole budget, then it is refused', () => {
    expect(new BodyBudget(10).reserve(11)).toBeUndefined();
  });
});
