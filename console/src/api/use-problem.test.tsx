import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Button, Form, Input } from 'antd';
import { describe, expect, it } from 'vitest';
import { LocaleProvider } from '../i18n/locale';
import { fieldNameOfPath, ProblemError, type Problem } from './problem';
import { useProblemHandler } from './use-problem';

const validationProblem: Problem = {
  type: 'https://points-mall.dev/problems/validation-failed',
  title: 'Request is not valid',
  status: 400,
  detail: 'body.schedule.endsAt: endsAt must be after startsAt; body.name: Too small; body.perMemberCap: Expected number',
  code: 'VALIDATION_FAILED',
  instance: '/v1/admin/campaigns',
  errors: [
    { path: 'body.schedule.endsAt', message: 'endsAt must be after startsAt' },
    { path: 'body.name', message: 'Too small: expected string to have >=3 characters' },
    { path: 'body.perMemberCap', message: 'Expected number, received string' },
  ],
};

/** A form like a screen's dialog: its submit "fails" with the given error, handled by the one helper. */
function FailingForm({ error }: { readonly error: unknown }) {
  const [form] = Form.useForm();
  const showProblem = useProblemHandler();
  return (
    <Form form={form} onFinish={() => showProblem(error, form)}>
      <Form.Item label="Name" name="name">
        <Input />
      </Form.Item>
      <Form.Item label="Ends" name={['schedule', 'endsAt']}>
        <Input />
      </Form.Item>
      <Form.Item label="Starts" name={['schedule', 'startsAt']}>
        <Input />
      </Form.Item>
      <Button htmlType="submit">Save</Button>
    </Form>
  );
}

function formItemOf(label: string): HTMLElement {
  const item = screen.getByLabelText(label).closest('.ant-form-item');
  if (!(item instanceof HTMLElement)) throw new Error(`no form item for ${label}`);
  return item;
}

describe('the problem+json helper', () => {
  it('places each field error on the form item its path names and lists the rest in the message', async () => {
    // Prepare
    render(
      <LocaleProvider initial="en">
        <FailingForm error={new ProblemError(validationProblem)} />
      </LocaleProvider>,
    );

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    // Assess: body.schedule.endsAt on the Ends item, body.name on the Name item, nothing on Starts
    await waitFor(() => expect(formItemOf('Ends').textContent).toContain('endsAt must be after startsAt'));
    expect(formItemOf('Name').textContent).toContain('Too small: expected string to have >=3 characters');
    expect(formItemOf('Starts').querySelector('.ant-form-item-explain-error')).toBeNull();
    expect(formItemOf('Ends').className).toContain('ant-form-item-has-error');
    // The message: the code's title in the operator's language, and the one error no field shows
    const notice = await screen.findByText('Some values are not valid');
    expect(notice.parentElement?.textContent).toContain('body.perMemberCap: Expected number, received string');
  });

  it('says to check the fields when every field error is placed', async () => {
    // Prepare
    const placeable: Problem = { ...validationProblem, errors: validationProblem.errors?.slice(0, 2) };
    render(
      <LocaleProvider initial="zh-CN">
        <FailingForm error={new ProblemError(placeable)} />
      </LocaleProvider>,
    );

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    // Assess
    const notice = await screen.findByText('部分内容填写有误');
    expect(notice.parentElement?.textContent).toContain('请检查标红的字段。');
  });

  it('shows the title and detail of a problem without field errors', async () => {
    // Prepare
    const conflict: Problem = {
      type: 'https://points-mall.dev/problems/budget-exhausted',
      title: 'Budget exhausted',
      status: 409,
      detail: 'the campaign has issued its whole budget',
      code: 'BUDGET_EXHAUSTED',
    };
    render(
      <LocaleProvider initial="en">
        <FailingForm error={new ProblemError(conflict)} />
      </LocaleProvider>,
    );

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    // Assess: an unknown code keeps the API's title
    const notice = await screen.findByText('Budget exhausted');
    expect(notice.parentElement?.textContent).toContain('the campaign has issued its whole budget');
  });

  it('turns a failed fetch into the network message', async () => {
    // Prepare
    render(
      <LocaleProvider initial="en">
        <FailingForm error={new TypeError('Failed to fetch')} />
      </LocaleProvider>,
    );

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    // Assess
    expect(await screen.findByText('The API cannot be reached. Check your connection and retry.')).toBeTruthy();
  });

  it('reads a problem path as the form field name', () => {
    expect(fieldNameOfPath('body.schedule.endsAt')).toEqual(['schedule', 'endsAt']);
    expect(fieldNameOfPath('body.audience.tiers.1')).toEqual(['audience', 'tiers', 1]);
    expect(fieldNameOfPath('query.limit')).toEqual(['limit']);
    expect(fieldNameOfPath('request.name')).toEqual(['name']);
  });
});
