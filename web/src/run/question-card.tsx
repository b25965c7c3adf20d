import { useId, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { OpenQuestion } from '../api/types';
import { useAction } from '../common/use-action';

/** An agent's question: answer it, or send the foreman's proposal as the answer. */
export function QuestionCard(props: {
  api: ApiClient;
  question: OpenQuestion;
  title: string;
  onAnswered: () => void;
}) {
  const { api, question, title, onAnswered } = props;
  const [answer, setAnswer] = useState('');
  const action = useAction();
  const answerId = useId();
  const send = (body: { answer: string } | { accept: true }) =>
    action.run(async () => {
      await api.answer(question.questionId, body);
      onAnswered();
    });
  return (
    <li className="inbox-card" data-question-id={question.questionId}>
      <h4>{title} asks</h4>
      <p className="question-text">{question.question}</p>
      {question.proposal !== null && (
        <div className="proposal">
          <p>
            The foreman proposes
            {question.confidence !== null && ` (${Math.round(question.confidence * 100)}% sure)`}:
          </p>
          <blockquote>{question.proposal}</blockquote>
          <button type="button" disabled={action.busy} onClick={() => send({ accept: true })}>
            Accept the proposal
          </button>
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          send({ answer: answer.trim() });
        }}
      >
        <label htmlFor={answerId}>Your answer</label>
        <textarea
          id={answerId}
          value={answer}
          onChange={(e) => setAnswer(e.target.value)}
          rows={2}
          required
        />
        <button type="submit" className="primary" disabled={action.busy || answer.trim() === ''}>
          Send answer
        </button>
      </form>
      {action.error && (
        <p className="error-text" role="alert">
          {action.error}
        </p>
      )}
    </li>
  );
}
