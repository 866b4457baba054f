// A period of local dates for the analysis queries, with the default the server would take.
import { DatePicker } from 'antd'
import dayjs from 'dayjs'

export interface PeriodValue { from: string; to: string }

export const lastDays = (days: number): PeriodValue => ({ from: dayjs().subtract(days - 1, 'day').format('YYYY-MM-DD'), to: dayjs().format('YYYY-MM-DD') })

export function PeriodPicker({ value, onChange }: { value: PeriodValue; onChange: (value: PeriodValue) => void }) {
  return (
    <DatePicker.RangePicker
      allowClear={false}
      value={[dayjs(value.from), dayjs(value.to)]}
      disabledDate={(d) => d.isAfter(dayjs(), 'day')}
      onChange={(range) => {
        if (range?.[0] && range[1]) onChange({ from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') })
      }}
      data-testid="analysis-period"
    />
  )
}
