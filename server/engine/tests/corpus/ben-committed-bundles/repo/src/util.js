export const greet = (n) => `Hello ${n} !`;
