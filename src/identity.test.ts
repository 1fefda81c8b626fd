import fc from 'fast-check';
import { customerIdentity, isCustomerIdentity, newIdentity, parseIdentity } from './identity';

const SECRET = 'a'.repeat(32);

describe('customerIdentity', () => {
  it('is stable, recognisable, and not an anonymous identity', () => {
    const identity = customerIdentity(SECRET, 'https://shop.example', 'cus_42');
    expect(identity).toBe(customerIdentity(SECRET, 'https://shop.example', 'cus_42'));
    expect(identity).toMatch(/^cust_[0-9a-f]{32}$/);
    expect(isCustomerIdentity(identity)).toBe(true);
    expect(parseIdentity(identity)).toBeUndefined();
    expect(isCustomerIdentity(newIdentity(Date.now()))).toBe(false);
  });

  it('depends on the issuer, the subject and the secret, and reveals none of them', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (iss, sub) => {
        const identity = customerIdentity(SECRET, iss, sub);
        expect(identity).not.toBe(customerIdentity('b'.repeat(32), iss, sub));
        expect(identity).not.toBe(customerIdentity(SECRET, `${iss}x`, sub));
        expect(identity).not.toBe(customerIdentity(SECRET, iss, `${sub}x`));
        if (sub.length > 3) expect(identity).not.toContain(sub);
      }),
    );
  });

  it('never confuses where the issuer ends and the subject begins', () => {
    expect(customerIdentity(SECRET, 'ab', 'c')).not.toBe(customerIdentity(SECRET, 'a', 'bc'));
  });
});
