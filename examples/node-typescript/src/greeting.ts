export interface Greeting {
  message: string;
  language: string;
  compiledBy: string;
}

export function greet(name: string): Greeting {
  return {
    message: `Hello, ${name}!`,
    language: 'TypeScript',
    compiledBy: 'tsc',
  };
}
