import { describe, expect, it } from 'vitest';
import { verbPhrase } from '../../src/tasks/instructions.js';

describe('what a tool does, as the user would ask for it', () => {
  it('takes the first sentence of the description, in the base form', () => {
    expect(verbPhrase('Get one task. Returns its fields.', 'get_task')).toBe('get one task');
    expect(verbPhrase('Retrieves the weather forecast for a city.', 'forecast')).toBe('retrieve the weather forecast for a city');
    expect(verbPhrase('Subtracts the second integer from the first and returns the result.', 'subtract')).toBe('subtract the second integer from the first and return the result');
    expect(verbPhrase('Summarizes the index.', 's')).toBe('summarize the index');
    expect(verbPhrase('Status of the fleet', 's')).toBe('status of the fleet');
  });

  it('skips what the tool belongs to and reads "This function does X" as "do X"', () => {
    const bfcl = 'This tool belongs to the ticketing system, which allows users to manage tickets. Tool description: Resolve a ticket with a resolution.';
    expect(verbPhrase(bfcl, 'resolve_ticket')).toBe('resolve a ticket with a resolution');
    expect(verbPhrase('This function prompts the user with a question and returns their response.', 'ask')).toBe('prompt the user with a question and return their response');
    expect(verbPhrase('This tool is used to book a table.', 'book')).toBe('book a table');
    expect(verbPhrase('This API allows users to cancel an order.', 'cancel')).toBe('cancel an order');
  });

  it('falls back to the tool name', () => {
    expect(verbPhrase('', 'list_open_tickets')).toBe('list open tickets');
  });
});
