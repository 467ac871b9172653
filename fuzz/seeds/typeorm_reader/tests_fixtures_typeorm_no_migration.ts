export const helper = (x: number) => x + 1;
