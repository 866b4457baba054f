// The problem type, picked in a friendly way: a sheet with a search and the types grouped under their big class
// (catalogue of GET /api/public/catalogue). Works as a form control over the service code.
import { useMemo, useState } from 'react'
import { Drawer, Empty, Input, Typography } from 'antd'
import { RightOutlined, SearchOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import type { Lang, ProblemType } from '../../api/client'

export function TypePicker({ value, onChange, types, id }: {
  value?: string
  onChange?: (serviceCode: string) => void
  types: ProblemType[]
  id?: string
}) {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN'
  const [open, setOpen] = useState(false)
  const [query, setQuery] = useState('')
  const chosen = types.find((type) => type.serviceCode === value)

  const groups = useMemo(() => {
    const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean)
    const hit = (type: ProblemType) => {
      const text = [type.name['zh-CN'], type.name.en, type.group['zh-CN'], type.group.en].join(' ').toLowerCase()
      return words.every((w) => text.includes(w))
    }
    const out = new Map<string, { name: string; types: ProblemType[] }>()
    for (const type of types.filter(hit)) {
      const key = type.group['zh-CN']
      const group = out.get(key) ?? { name: type.group[lang], types: [] }
      group.types.push(type)
      out.set(key, group)
    }
    return [...out.values()]
  }, [types, query, lang])

  const pick = (type: ProblemType) => {
    onChange?.(type.serviceCode)
    setOpen(false)
    setQuery('')
  }

  return (
    <>
      <button type="button" id={id} className="xh-field-select" onClick={() => setOpen(true)} data-testid="citizen-type" data-value={value ?? ''}>
        {chosen ? (
          <span className="xh-field-option-main">
            <span className="xh-field-option-name">{chosen.name[lang]}</span>
            <Typography.Text type="secondary" className="xh-field-option-sub">{chosen.group[lang]}</Typography.Text>
          </span>
        ) : (
          <Typography.Text type="secondary" className="xh-field-option-main">{t('citizen.report.typePlaceholder')}</Typography.Text>
        )}
        <RightOutlined />
      </button>
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        placement="bottom"
        size="85%"
        title={t('citizen.report.typeTitle')}
        styles={{ body: { padding: 0, display: 'flex', flexDirection: 'column' } }}
        destroyOnHidden
      >
        <div className="xh-field-sheet-head">
          <Input allowClear size="large" prefix={<SearchOutlined />} placeholder={t('citizen.report.typeSearch')} value={query}
            onChange={(e) => setQuery(e.target.value)} data-testid="citizen-type-search" />
        </div>
        <div className="xh-field-sheet-list" data-testid="citizen-type-list">
          {groups.map((group) => (
            <div key={group.name}>
              <div className="xh-field-sheet-section">{group.name}</div>
              <div className="xh-citizen-type-grid">
                {group.types.map((type) => (
                  <button key={type.serviceCode} type="button" className="xh-citizen-type" onClick={() => pick(type)}
                    data-testid={`citizen-type-option-${type.serviceCode}`} aria-pressed={type.serviceCode === value}>
                    {type.name[lang]}
                  </button>
                ))}
              </div>
            </div>
          ))}
          {groups.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('citizen.report.noType')} />}
        </div>
      </Drawer>
    </>
  )
}
