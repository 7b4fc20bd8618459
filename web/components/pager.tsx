/** Previous/next paging for server-side paged lists, with "rows a–b of n". */

/** Paging controls; `onOffset` gets the new offset. */
export function Pager(props: {
  offset: number;
  limit: number;
  total: number;
  onOffset: (offset: number) => void;
}) {
  const { offset, limit, total, onOffset } = props;
  const last = Math.min(offset + limit, total);
  return (
    <div className="pager">
      <button type="button" disabled={offset === 0} onClick={() => onOffset(0)}>
        « First
      </button>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>
        ‹ Previous
      </button>
      <span>
        {total === 0
          ? 'No rows'
          : `Rows ${(offset + 1).toLocaleString('en')}–${last.toLocaleString('en')} of ${total.toLocaleString('en')}`}
      </span>
      <button type="button" disabled={last >= total} onClick={() => onOffset(offset + limit)}>
        Next ›
      </button>
      <button
        type="button"
        disabled={last >= total}
        onClick={() => onOffset(Math.max(0, Math.floor((total - 1) / limit) * limit))}
      >
        Last »
      </button>
    </div>
  );
}
